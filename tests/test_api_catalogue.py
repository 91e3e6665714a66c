"""The catalogue API (DESIGN §6): plans/, counties/, indicators/ with targets; auth; schema."""
import pytest
from django.contrib.auth import get_user_model

from tests.conftest import api_for

pytestmark = pytest.mark.django_db

LIST_URLS = ["/api/v1/plans/", "/api/v1/counties/", "/api/v1/indicators/", "/api/v1/progress/"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_is_refused(url):
    assert api_for(None).get(url).status_code == 401


@pytest.mark.parametrize("url", LIST_URLS)
def test_a_user_without_a_role_is_refused(url):
    nobody = get_user_model().objects.create_user("nobody", password="x")
    response = api_for(nobody).get(url)
    assert response.status_code == 403
    assert "角色" in response.json()["message"]


@pytest.mark.parametrize("role", ["clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin"])
@pytest.mark.parametrize("url", LIST_URLS[:3])
def test_every_role_reads_the_catalogue(users, role, url):
    assert api_for(users[role]).get(url).status_code == 200


def test_counties_have_the_contract_fields(auditor):
    counties = api_for(auditor).get("/api/v1/counties/").json()
    assert len(counties) == 17
    xichang = next(c for c in counties if c["code"] == "513401")
    assert {k: xichang[k] for k in ("code", "name", "tier", "key_assisted")} == {
        "code": "513401", "name": "西昌市", "tier": 1, "key_assisted": False}
    assert sum(c["key_assisted"] for c in counties) == 11


def test_plans_are_the_eight_codes(auditor):
    codes = [p["code"] for p in api_for(auditor).get("/api/v1/plans/").json()]
    assert codes == ["preschool", "compulsory", "high_school", "vocational", "teachers", "informatization",
                     "research", "assessment"]


def test_indicators_filtered_by_plan_come_with_their_targets(auditor, django_assert_max_num_queries):
    client = api_for(auditor)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/indicators/?plan=compulsory&limit=500").json()
    results = body["results"]
    assert body["count"] == len(results) > 30
    assert {r["plan"] for r in results} == {"compulsory"}
    required = {"code", "plan", "task", "name", "unit", "kind", "direction", "targets"}
    assert all(required <= r.keys() for r in results)
    pass_rate = next(r for r in results if "学业合格率" in r["name"])
    assert sorted((t["tier"], t["value"], t["year"], t["counties"]) for t in pass_rate["targets"]) == [
        (1, 85, 2025, None), (2, 70, 2025, None), (3, 60, 2025, None)]
    quality = next(r for r in results if r["kind"] == "milestone" and any(t["counties"] for t in r["targets"]))
    assert sorted(quality["targets"][0]["counties"]) == ["513401", "513402", "513424", "513426", "513427"]


def test_indicator_by_code(auditor):
    body = api_for(auditor).get("/api/v1/indicators/PRE-01/").json()
    assert body["code"] == "PRE-01" and body["unit"] == "%" and body["targets"][0]["value"] == 92


def test_token_auth(client):
    response = client.post("/api/v1/auth/token/", {"username": "auditor", "password": "liangshan2025"})
    assert response.status_code == 200
    token = response.json()["token"]
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/plans/").status_code == 200
    bad = client.post("/api/v1/auth/token/", {"username": "auditor", "password": "wrong"})
    assert bad.status_code == 400 and bad.json()["message"]


def test_session_auth(client):
    assert client.login(username="clerk_zhaojue", password="liangshan2025")
    assert client.get("/api/v1/indicators/?plan=preschool").status_code == 200


def test_schema_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/indicators/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower() and b"/static/drf_spectacular_sidecar/" in docs.content
