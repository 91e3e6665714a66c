"""The API lists stay cheap: their output pinned for a fixed fixture, fixed query counts, and conditional
requests (ETag / Last-Modified from the data version, 304, a cache invalidated on every change, never shared
between scopes).

The golden files under ``tests/golden/`` were written before the lists were made faster (rewrite them with
``UPDATE_GOLDEN=1`` only for an intended change of the output).
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from decimal import Decimal as D
from pathlib import Path

import pytest

from assessment.models import Evaluation, Progress
from assessment.services import recompute_all
from counties import services
from places.models import County
from counties.models import Figure
from indicators.models import Indicator
from tests.conftest import api_for

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
XICHANG, ZHAOJUE = "513401", "513431"
FIXED = datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)

# (name, user, url, language): each list as a reader and as a clerk, filtered as the benchmark asks for it.
LISTS = [
    ("progress_county_year", "official", f"/api/v1/progress/?county={XICHANG}&year=2024", "zh-hans"),
    ("progress_clerk", "clerk_xichang", "/api/v1/progress/?year=2024&plan=preschool", "zh-hans"),
    ("progress_second_page", "auditor", f"/api/v1/progress/?county={XICHANG}&year=2024&offset=150", "zh-hans"),
    ("evaluation_county", "official", f"/api/v1/evaluation/?county={XICHANG}", "zh-hans"),
    ("evaluation_clerk", "clerk_zhaojue", "/api/v1/evaluation/?plan=preschool", "zh-hans"),
    ("indicators_compulsory", "official", "/api/v1/indicators/?plan=compulsory", "zh-hans"),
    ("indicators_preschool_clerk", "clerk_xichang", "/api/v1/indicators/?plan=preschool", "zh-hans"),
    ("figures_official", "official", "/api/v1/figures/", "zh-hans"),
    ("figures_official_en", "official", "/api/v1/figures/?year=2024", "en"),
    ("figures_clerk", "clerk_zhaojue", "/api/v1/figures/", "zh-hans"),
    ("counties", "official", "/api/v1/counties/", "zh-hans"),
]


def _approved(county: str, code: str, year: int, **values) -> Figure:
    return Figure.objects.create(county=County.objects.get(code=county), indicator=Indicator.objects.get(code=code),
                                 year=year, status="approved", **values)


@pytest.fixture
def fixed_data(users):
    """Approved figures of 西昌 and 昭觉 over four years (rates, a count, a milestone), one figure approved
    through the workflow, one draft and one returned; progress recomputed; every timestamp fixed."""
    for year, (num, den) in zip(range(2021, 2025), [(800, 1000), (830, 1000), (861, 1000), (905, 1000)]):
        _approved(XICHANG, "PRE-01", year, value=D(num) / D(den) * 100, numerator=D(num), denominator=D(den))
        _approved(ZHAOJUE, "PRE-01", year, value=D(num - 200) / D(den) * 100, numerator=D(num - 200),
                  denominator=D(den))
        _approved(XICHANG, "PRE-11", year, value=D(40 - year + 2021))
    _approved(ZHAOJUE, "PRE-04", 2023, value=D(1), done_on="2023-06-30")
    clerk, official = users["clerk_xichang"], users["official"]
    xichang = County.objects.get(code=XICHANG)
    figure = services.save_draft(clerk, xichang, Indicator.objects.get(code="PRE-02"), 2024,
                                 numerator=88, denominator=100, note="样例").figure
    services.approve(official, services.submit(clerk, figure))
    draft = services.save_draft(users["clerk_zhaojue"], County.objects.get(code=ZHAOJUE),
                                Indicator.objects.get(code="PRE-02"), 2024, numerator=40, denominator=100).figure
    returned = services.save_draft(clerk, xichang, Indicator.objects.get(code="PRE-03"), 2024,
                                   numerator=30, denominator=100).figure
    services.return_figure(official, services.submit(clerk, returned), "分母与学籍系统不一致")
    assert draft.status == "draft"
    recompute_all()
    Progress.objects.update(computed_at=FIXED)
    Evaluation.objects.update(computed_at=FIXED)
    Figure.objects.update(created_at=FIXED, updated_at=FIXED, submitted_at=None)
    Figure.objects.filter(status="approved").update(approved_at=FIXED)
    return users


def _ranked_ids(body: dict) -> dict:
    """Row ids replaced by their rank: the database's sequences differ from run to run (PostgreSQL does not
    reset them), the order of the rows does not."""
    rows = body.get("results", body) if isinstance(body, dict) else body
    if rows and isinstance(rows, list) and "id" in rows[0]:
        rank = {i: n for n, i in enumerate(sorted(row["id"] for row in rows))}
        for row in rows:
            row["id"] = rank[row["id"]]
    return body


def _fresh_client(username: str):
    """A client for a user loaded afresh, as each request loads it (nothing of the role cached on the object)."""
    from django.contrib.auth import get_user_model

    return api_for(get_user_model().objects.get(username=username))


def _get(users, username: str, url: str, language: str, **headers):
    return api_for(users[username]).get(url, HTTP_ACCEPT_LANGUAGE=language, **headers)


@pytest.mark.parametrize("name, username, url, language", LISTS, ids=[entry[0] for entry in LISTS])
def test_list_output_is_pinned(fixed_data, name, username, url, language):
    response = _get(fixed_data, username, url, language)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = _ranked_ids(json.loads(response.content))
    path = GOLDEN / f"api_{name}.json"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    # The same fields in the same order, the same values and the same JSON types (92 stays a number).
    assert json.dumps(body, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


# ── fixed query counts ───────────────────────────────────────────────────────────────────────────────────────

# The role (the user's groups), then the count and the page. A clerk's county adds its profile and county; the
# evaluation's default cycle one query; the indicators their plan and their targets with the targets' counties, and
# (once per response) the counties' attribute values when a target's scope is a condition (CMP-20: 30万人口以上).
QUERIES = [
    ("official", f"/api/v1/progress/?county={XICHANG}&year=2024", 3),
    ("clerk_xichang", "/api/v1/progress/?year=2024", 5),
    ("official", f"/api/v1/evaluation/?county={XICHANG}", 4),
    ("official", "/api/v1/indicators/?plan=compulsory", 7),
    ("official", "/api/v1/figures/?year=2024", 3),
    ("clerk_zhaojue", "/api/v1/figures/", 5),
]


@pytest.mark.parametrize("username, url, expected", QUERIES, ids=[q[1] for q in QUERIES])
def test_a_list_takes_a_fixed_number_of_queries_however_many_rows(fixed_data, django_assert_num_queries, username,
                                                                  url, expected):
    client = _fresh_client(username)
    with django_assert_num_queries(expected):
        first = client.get(url)
    assert first.status_code == 200
    rows_before = first.json()["count"]
    # More rows of every kind: the count stays.
    for code in ("PRE-05", "PRE-06", "PRE-07"):
        _approved(XICHANG, code, 2024, value=D(3))
        _approved(ZHAOJUE, code, 2024, value=D(4))
    Indicator.objects.filter(code="PRE-05").update(name="学前教育改名")  # a catalogue write the signals miss
    recompute_all()
    from liangshan_edu.dataversion import TOPICS, changed

    changed(*TOPICS)
    client = _fresh_client(username)
    with django_assert_num_queries(expected):
        again = client.get(url)
    assert again.status_code == 200 and again.json()["count"] >= rows_before


# ── conditional requests and the cache ───────────────────────────────────────────────────────────────────────

PROGRESS_URL = f"/api/v1/progress/?county={XICHANG}&year=2024"


def _row(body: dict, code: str) -> dict:
    return next(row for row in body["results"] if row["indicator"] == code)


def test_an_unchanged_list_answers_304_with_its_validators(fixed_data):
    client = api_for(fixed_data["official"])
    first = client.get(PROGRESS_URL)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified
    assert first["Cache-Control"] == "private, no-cache"
    assert {"Accept", "Accept-Language", "Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}

    again = client.get(PROGRESS_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Last-Modified"] == last_modified
    assert client.get(PROGRESS_URL, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # Another list, or the same one filtered otherwise, is not the client's copy.
    assert client.get(PROGRESS_URL + "&plan=preschool", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get(PROGRESS_URL, HTTP_IF_NONE_MATCH='"something else"').status_code == 200


def test_a_recompute_invalidates_the_cached_list_and_its_etag(fixed_data):
    client = api_for(fixed_data["official"])
    first = client.get(PROGRESS_URL)
    assert _row(first.json(), "PRE-01")["status"] == "on_track"
    # Rows changed behind the version's back are not seen: the list is served from the cache...
    Progress.objects.filter(area=XICHANG, year=2024).update(status="off_track")
    assert client.get(PROGRESS_URL).content == first.content
    # ...until a recompute, which announces itself.
    recompute_all()
    after = client.get(PROGRESS_URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert _row(after.json(), "PRE-01")["status"] == "on_track"


def test_an_approval_invalidates_progress_and_figures(fixed_data, django_capture_on_commit_callbacks):
    clerk, official = fixed_data["clerk_xichang"], fixed_data["official"]
    client = api_for(official)
    progress = client.get(PROGRESS_URL)
    figures = client.get("/api/v1/figures/?year=2024")
    assert _row(progress.json(), "PRE-03")["status"] == "no_data"
    figure = Figure.objects.get(county__code=XICHANG, indicator__code="PRE-03", year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        figure = services.save_draft(clerk, figure.county, figure.indicator, 2024, numerator=56, denominator=100,
                                     expected_version=figure.version).figure
        services.approve(official, services.submit(clerk, figure))

    after = client.get(PROGRESS_URL, HTTP_IF_NONE_MATCH=progress["ETag"])
    assert after.status_code == 200
    assert _row(after.json(), "PRE-03")["value"] == 56.0 and _row(after.json(), "PRE-03")["status"] == "achieved"
    figures_after = client.get("/api/v1/figures/?year=2024", HTTP_IF_NONE_MATCH=figures["ETag"])
    assert figures_after.status_code == 200
    assert [f["status"] for f in figures_after.json()["results"] if f["indicator"] == "PRE-03"] == ["approved"]


def test_a_draft_saved_shows_in_the_figures_list_at_once(fixed_data):
    clerk = fixed_data["clerk_zhaojue"]
    client = api_for(clerk)
    before = client.get("/api/v1/figures/")
    services.save_draft(clerk, County.objects.get(code=ZHAOJUE), Indicator.objects.get(code="PRE-03"), 2024,
                        numerator=10, denominator=100)
    after = client.get("/api/v1/figures/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after.json()["count"] == before.json()["count"] + 1


def test_a_catalogue_write_invalidates_the_indicators_list(fixed_data):
    client = api_for(fixed_data["official"])
    url = "/api/v1/indicators/?plan=preschool"
    before = client.get(url)
    indicator = Indicator.objects.get(code="PRE-01")
    indicator.name = "学前三年毛入园率（改）"
    indicator.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert next(i for i in after.json()["results"] if i["code"] == "PRE-01")["name"] == "学前三年毛入园率（改）"


def test_the_admins_catalogue_signal_invalidates_as_well(fixed_data):
    from liangshan_edu.watch import catalogue_write

    client = api_for(fixed_data["official"])
    url = "/api/v1/indicators/?plan=preschool"
    before = client.get(url)
    Indicator.objects.filter(code="PRE-01").update(name="批量改名")  # a bulk update: no model signal
    catalogue_write.send(sender=Indicator, phase="after", state={}, user=fixed_data["admin"])
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "批量改名" in after.content.decode()


def test_the_language_is_part_of_the_cached_list(fixed_data):
    client = api_for(fixed_data["official"])
    chinese = client.get("/api/v1/figures/?year=2024", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get("/api/v1/figures/?year=2024", HTTP_ACCEPT_LANGUAGE="en",
                         HTTP_IF_NONE_MATCH=chinese["ETag"])
    assert english.status_code == 200 and english["ETag"] != chinese["ETag"]
    assert "Approved" in english.content.decode() and "已审核" in chinese.content.decode()


# ── scoping: a cached list is never served to a user who may see other rows ──────────────────────────────────

SCOPED = ["/api/v1/progress/?year=2024", "/api/v1/evaluation/", "/api/v1/figures/"]


@pytest.mark.parametrize("url", SCOPED)
def test_a_clerk_never_gets_another_countys_cached_list(fixed_data, url):
    xichang = api_for(fixed_data["clerk_xichang"]).get(url)
    official = api_for(fixed_data["official"]).get(url)
    assert XICHANG in xichang.content.decode() and ZHAOJUE in official.content.decode()

    for etag in (xichang["ETag"], official["ETag"]):
        zhaojue = api_for(fixed_data["clerk_zhaojue"]).get(url, HTTP_IF_NONE_MATCH=etag)
        assert zhaojue.status_code == 200  # another scope's ETag is not this clerk's copy
        areas = {row["county"] for row in zhaojue.json()["results"]}
        assert XICHANG not in areas and areas <= {ZHAOJUE, "prefecture"}
    assert ZHAOJUE not in {row["county"] for row in api_for(fixed_data["clerk_xichang"]).get(url).json()["results"]}


def test_a_user_without_a_role_gets_no_cached_list(fixed_data):
    from django.contrib.auth import get_user_model

    api_for(fixed_data["official"]).get(PROGRESS_URL)
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert api_for(nobody).get(PROGRESS_URL).status_code == 403
    assert api_for(None).get(PROGRESS_URL).status_code in (401, 403)
