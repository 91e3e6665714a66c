"""``/api/v1/assessments/``: who sees what (published to every role, previews to officials, a breakdown to its
county's clerk and the readers of everything), publication and corrections, the error shape."""
from decimal import Decimal as D

import pytest

from assessment.models import Progress
from places.models import County
from scoring import services
from tests.conftest import api_for
from tests.test_scoring_services import YEAR, one_item_scheme, progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_data(official):
    _, _, hand, inds = one_item_scheme()
    codes = list(County.objects.order_by("code").values_list("code", flat=True))
    progress(inds, {c: ("achieved", "achieved" if i < 10 else "off_track") for i, c in enumerate(codes)})
    counties = {c.code: c for c in County.objects.all()}
    for i, code in enumerate(codes):
        services.set_hand_score(official, hand, counties[code], D(20) - D(i) / 2, "过程考核")
    return codes


def test_nothing_published_is_a_404_in_the_error_shape(clerk_xichang, year_data):
    response = api_for(clerk_xichang).get("/api/v1/assessments/", {"year": YEAR})
    assert response.status_code == 404 and response.json()["errors"] == {}
    assert str(YEAR) in response.json()["message"]


def test_a_preview_is_for_officials_only(official, clerk_xichang, auditor, year_data):
    assert api_for(clerk_xichang).get("/api/v1/assessments/", {"year": YEAR, "preview": "true"}).status_code == 403
    assert api_for(auditor).get("/api/v1/assessments/", {"year": YEAR, "preview": "true"}).status_code == 403
    rows = api_for(official).get("/api/v1/assessments/", {"year": YEAR, "preview": "true"}).json()
    assert len(rows) == 17 and rows[0]["version"] is None and rows[0]["rank"] == 1


def test_publish_then_every_role_reads_the_ranking(official, clerk_xichang, year_data):
    assert api_for(clerk_xichang).post("/api/v1/assessments/publish/", {"year": YEAR}).status_code == 403
    response = api_for(official).post("/api/v1/assessments/publish/", {"year": YEAR}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    rows = api_for(clerk_xichang).get("/api/v1/assessments/", {"year": YEAR}).json()
    assert [r["rank"] for r in rows] == list(range(1, 18))
    top, last = rows[0], rows[-1]
    assert (top["county"], top["score"], top["award"], top["award_label"], top["bonus"]) == \
        (year_data[0], 100, "first", "一等奖", 5)
    assert last["county"] == year_data[16] and last["score"] == 52         # 40 + 12 hand points
    assert last["accountability"] == ["criticism", "interview"] and last["bottom_named"]
    assert "对主要领导、分管领导进行约谈、诫勉谈话" in last["consequences"]
    assert rows[11]["award"] == "third" and rows[12]["award"] == "" and rows[9]["accountability"] == []
    # year defaults to the latest published year
    assert api_for(clerk_xichang).get("/api/v1/assessments/").json() == rows


def test_a_correction_is_version_2_and_version_1_stays_readable(official, year_data):
    api = api_for(official)
    api.post("/api/v1/assessments/publish/", {"year": YEAR}, format="json")
    refused = api.post("/api/v1/assessments/publish/", {"year": YEAR}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()["errors"]
    Progress.objects.filter(year=YEAR).update(status="achieved")
    fixed = api.post("/api/v1/assessments/publish/", {"year": YEAR, "note": "数据复核更正"}, format="json")
    assert fixed.status_code == 201 and fixed.json()["version"] == 2
    v1 = {r["county"]: r["score"] for r in api.get("/api/v1/assessments/", {"year": YEAR, "version": 1}).json()}
    v2 = {r["county"]: r["score"] for r in api.get("/api/v1/assessments/", {"year": YEAR}).json()}
    assert v1[year_data[16]] == 52 and v2[year_data[16]] == 92


def test_the_breakdown_is_for_its_county_and_adds_up(official, clerk_xichang, clerk_zhaojue, auditor, year_data):
    services.publish(official, YEAR)
    own = api_for(clerk_xichang).get("/api/v1/assessments/breakdown/", {"year": YEAR, "county": "513401"})
    assert own.status_code == 200
    body = own.json()
    assert body["county"] == "513401" and sum(D(line["points"]) for line in body["lines"]) == D(body["score"])
    assert body["lines"][0]["sources"][0]["indicator"] and body["lines"][1]["how"] == "人工评分：过程考核"
    assert api_for(clerk_zhaojue).get("/api/v1/assessments/breakdown/",
                                      {"year": YEAR, "county": "513401"}).status_code == 403
    assert api_for(auditor).get("/api/v1/assessments/breakdown/",
                                {"year": YEAR, "county": "513401"}).status_code == 200


def test_invalid_parameters_are_a_400_naming_them(official, year_data):
    api = api_for(official)
    assert "year" in api.get("/api/v1/assessments/", {"year": "abc"}).json()["errors"]
    assert "preview" in api.get("/api/v1/assessments/", {"preview": "maybe"}).json()["errors"]
    assert "county" in api.get("/api/v1/assessments/breakdown/", {"county": "999999"}).json()["errors"]
    assert "county" in api.get("/api/v1/assessments/breakdown/", {"county": "51\x0001"}).json()["errors"]
    assert api.get("/api/v1/assessments/", {"version": str(2**70)}).status_code == 400


def test_the_list_has_a_fixed_query_count(official, clerk_xichang, year_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.publish(official, YEAR)
    api = api_for(clerk_xichang)
    api.get("/api/v1/assessments/", {"year": YEAR})
    with CaptureQueriesContext(connection) as first:
        api.get("/api/v1/assessments/", {"year": YEAR})
    services.publish(official, YEAR, note="更正")
    with CaptureQueriesContext(connection) as second:
        api.get("/api/v1/assessments/", {"year": YEAR})
    assert len(first) == len(second) <= 4
