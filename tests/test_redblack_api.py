"""/api/v1/redblack/ and /api/v1/supervisions/: contract fields, 409s, and every role on every endpoint."""
from __future__ import annotations

import pytest

from redblack import lists
from redblack.models import NoticeView, Publication, SupervisionNotice
from tests.conftest import api_for
from tests.redblack_data import XICHANG, YEAR, ZHAOJUE, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = pytest.mark.django_db
ROLES = ["clerk_xichang", "clerk_zhaojue", "official", "auditor", "admin"]


@pytest.fixture
def published(official):
    lagging_zhaojue()
    return lists.publish(official, "2026-Q3", YEAR)


def test_the_lists_have_the_contract_fields_for_every_role(users, published):
    for role in ROLES:
        body = api_for(users[role]).get("/api/v1/redblack/", {"period": "2026-Q3"}).json()
        assert body["count"] == 2, role
        black = next(e for e in body["results"] if e["list"] == "black")
        assert (black["county"], black["indicator"], black["period"], black["version"]) == (ZHAOJUE, "CMP-01",
                                                                                             "2026-Q3", 1)
        assert "严重滞后" in black["reason"] and black["change"] == ""


def test_a_corrections_lines_say_what_changed(official, published):
    from assessment.models import Progress
    Progress.objects.filter(area=XICHANG, year=YEAR).update(value=97.04)  # 西昌's reason changes
    lists.correct(official, published, remove=[published.entries.get(list="black").pk], reason="申诉成立")
    body = api_for(official).get("/api/v1/redblack/", {"period": "2026-Q3"}).json()
    assert [(e["version"], e["county"], e["change"]) for e in body["results"]] == [(2, XICHANG, "changed")]


def test_the_lists_default_to_the_latest_period_and_filter(official, published):
    lists.publish(official, "2026-10", YEAR)  # October ends after the third quarter: the latest period
    api = api_for(official)
    assert {e["period"] for e in api.get("/api/v1/redblack/").json()["results"]} == {"2026-10"}
    assert [e["county"] for e in api.get("/api/v1/redblack/", {"period": "2026-Q3", "list": "red"}).json()["results"]] \
        == [XICHANG]
    assert api.get("/api/v1/redblack/", {"period": "2026-Q9"}).status_code == 400
    assert api.get("/api/v1/redblack/", {"period": "2030-01"}).json()["count"] == 0


def test_anonymous_get_nothing():
    assert api_for(None).get("/api/v1/redblack/").status_code in (401, 403)
    assert api_for(None).post("/api/v1/redblack/publish/", {"period": "2026-11", "year": YEAR}).status_code in (401, 403)


@pytest.mark.parametrize("role, code", [("clerk_xichang", 403), ("auditor", 403), ("admin", 403), ("official", 201)])
def test_only_officials_publish(users, role, code):
    lagging_zhaojue()
    response = api_for(users[role]).post("/api/v1/redblack/publish/", {"period": "2026-Q3", "year": YEAR},
                                         format="json")
    assert response.status_code == code
    if code == 201:
        assert response.json()["version"] == 1 and len(response.json()["entries"]) == 2
    else:
        assert set(response.json()) == {"message", "errors"} and not Publication.objects.exists()


def test_publishing_a_period_twice_is_409_in_the_error_shape(official, published):
    response = api_for(official).post("/api/v1/redblack/publish/", {"period": "2026-Q3", "year": YEAR}, format="json")
    assert response.status_code == 409
    assert "2026-Q3" in response.json()["message"] and "period" in response.json()["errors"]
    bad = api_for(official).post("/api/v1/redblack/publish/", {"period": "2026/11", "year": YEAR}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]


# supervisions ------------------------------------------------------------------------------------------------------

def _create(user, **data):
    return api_for(user).post("/api/v1/supervisions/", {"county": ZHAOJUE, **data}, format="json")


@pytest.mark.parametrize("role, code", [("clerk_zhaojue", 403), ("auditor", 403), ("admin", 403), ("official", 201)])
def test_only_officials_create_notices(users, role, code):
    lagging_zhaojue()
    response = _create(users[role])
    assert response.status_code == code
    if code == 201:
        body = response.json()
        assert body["indicators"] == ["CMP-01"] and body["status"] == "open" and body["county"] == ZHAOJUE
        assert "CMP-01" in body["message"] and body["deadline"]
    else:
        assert not SupervisionNotice.objects.exists()


def test_a_notice_without_indicators_is_refused(official):
    response = _create(official)  # 昭觉 has no lagging indicator here and none were named
    assert response.status_code == 409 and "指标" in response.json()["message"]


@pytest.fixture
def notice(official):
    lagging_zhaojue()
    return SupervisionNotice.objects.get(pk=_create(official).json()["id"])


@pytest.mark.parametrize("role, sees", [("clerk_zhaojue", True), ("clerk_xichang", False), ("official", True),
                                        ("auditor", True), ("admin", True)])
def test_who_sees_a_notice(users, notice, role, sees):
    api = api_for(users[role])
    assert (api.get("/api/v1/supervisions/").json()["count"] == 1) is sees
    assert api.get(f"/api/v1/supervisions/{notice.pk}/").status_code == (200 if sees else 404)
    assert NoticeView.objects.filter(notice=notice, user=users[role]).exists() is sees


PLAN = [{"indicator": "CMP-01", "cause": "辍学反弹", "measures": "控辍保学专项行动", "responsible": "张三",
         "start": "2026-01-01", "due": "2026-06-30"}]


@pytest.mark.parametrize("role, code", [("clerk_xichang", 404), ("official", 403), ("auditor", 403), ("admin", 403),
                                        ("clerk_zhaojue", 200)])
def test_only_the_county_clerk_replies(users, notice, role, code):
    response = api_for(users[role]).patch(f"/api/v1/supervisions/{notice.pk}/", {"reply": "已整改", "plan": PLAN},
                                          format="json")
    assert response.status_code == code
    notice.refresh_from_db()
    assert (notice.status == "replied") is (code == 200)
    if code == 200:
        assert response.json()["plan"][0]["measures"] == "控辍保学专项行动"


@pytest.mark.parametrize("role, code", [("clerk_zhaojue", 403), ("auditor", 403), ("admin", 403), ("official", 200)])
def test_only_officials_close(users, notice, clerk_zhaojue, role, code):
    api_for(clerk_zhaojue).patch(f"/api/v1/supervisions/{notice.pk}/", {"reply": "已整改"}, format="json")
    response = api_for(users[role]).patch(f"/api/v1/supervisions/{notice.pk}/", {"status": "closed"}, format="json")
    assert response.status_code == code
    notice.refresh_from_db()
    assert (notice.status == "closed") is (code == 200)


def test_the_lifecycle_through_the_api(official, clerk_zhaojue, notice):
    url = f"/api/v1/supervisions/{notice.pk}/"
    clerk, boss = api_for(clerk_zhaojue), api_for(official)
    assert boss.patch(url, {"status": "closed"}, format="json").status_code == 409  # nothing to verify yet
    assert clerk.patch(url, {"reply": "初步方案", "plan": PLAN}, format="json").json()["status"] == "replied"
    assert clerk.patch(url, {"reply": "again"}, format="json").status_code == 409  # waiting for the official
    assert boss.patch(url, {"status": "open"}, format="json").status_code == 409  # sending back needs a comment
    back = boss.patch(url, {"status": "open", "comment": "措施不具体"}, format="json").json()
    assert (back["status"], back["comment"]) == ("open", "措施不具体")
    assert clerk.patch(url, {"reply": "细化后的方案", "plan": PLAN}, format="json").json()["status"] == "replied"
    closed = boss.patch(url, {"status": "closed", "comment": "核查属实"}, format="json").json()
    assert closed["status"] == "closed" and closed["closed_at"]
    assert [e.kind for e in notice.events.all()] == ["created", "replied", "sent_back", "replied", "closed"]
    assert clerk.patch(url, {"reply": "late"}, format="json").status_code == 409


def test_a_plan_line_for_another_indicator_is_refused(clerk_zhaojue, notice):
    plan = [{**PLAN[0], "indicator": "PRE-01"}]
    response = api_for(clerk_zhaojue).patch(f"/api/v1/supervisions/{notice.pk}/", {"reply": "x", "plan": plan},
                                            format="json")
    assert response.status_code == 409 and "PRE-01" in response.json()["message"]


@pytest.mark.parametrize("data", [
    {"county": "999999"}, {"county": ZHAOJUE, "indicators": ["NOPE"]}, {"county": ZHAOJUE, "entry": 2**70},
    {"county": ZHAOJUE, "deadline": "tomorrow"}, {"county": ["x"]}, {"county": ZHAOJUE, "entry": "abc"},
])
def test_bad_notice_requests_are_400s_in_the_error_shape(official, data):
    response = api_for(official).post("/api/v1/supervisions/", data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"message", "errors"}


@pytest.mark.parametrize("data", [{"reply": "x", "plan": "not a list"}, {"reply": "x", "plan": [{"indicator": "CMP-01"}]},
                                  {"status": "replied"}, {"status": 7}, {}])
def test_bad_patches_are_400s(users, notice, data):
    user = users["official"] if "status" in data else users["clerk_zhaojue"]
    response = api_for(user).patch(f"/api/v1/supervisions/{notice.pk}/", data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"message", "errors"}


def test_put_and_delete_are_not_offered(official, notice):
    assert api_for(official).put(f"/api/v1/supervisions/{notice.pk}/", {}, format="json").status_code == 405
    assert api_for(official).delete(f"/api/v1/supervisions/{notice.pk}/").status_code == 405


@pytest.mark.parametrize("params", [{"version": "x"}, {"list": "green"}, {"version": str(2**70)}])
def test_bad_list_parameters(official, published, params):
    response = api_for(official).get("/api/v1/redblack/", {"period": "2026-Q3", **params})
    assert response.status_code in (200, 400) and set(response.json()) >= ({"message", "errors"}
                                                                              if response.status_code == 400 else set())
    if params.get("list") or params.get("version") == "x":
        assert response.status_code == 400


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_a_refusal_comes_before_the_body_is_read(users, role):
    api = api_for(users[role])
    assert api.post("/api/v1/redblack/publish/", {"period": "bad"}, format="json").status_code == 403
    assert api.post("/api/v1/supervisions/", {"county": "bad"}, format="json").status_code == 403
