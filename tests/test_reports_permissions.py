"""Who may export what: a clerk only their own county, readers everything, anonymous nothing (API and pages,
records and background files)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import ExportRecord
from tests.conftest import api_for, client_for
from tests.reports_data import XICHANG, ZHAOJUE, series

pytestmark = pytest.mark.django_db
PROGRESS = "/api/v1/reports/progress/"
EVALUATION = "/api/v1/reports/evaluation/"


@pytest.fixture
def data():
    series()


@pytest.mark.parametrize("url", [PROGRESS, EVALUATION])
def test_anonymous_users_export_nothing(url, data):
    assert api_for(None).get(url, {"county": ZHAOJUE, "format": "csv"}).status_code in (401, 403)
    assert client_for(None).get(reverse("report-progress-file"), {"format": "csv"}).status_code == 302
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("url", [PROGRESS, EVALUATION])
def test_a_clerk_exports_only_their_own_county(url, clerk_xichang, data):
    api = api_for(clerk_xichang)
    other = api.get(url, {"county": ZHAOJUE, "format": "csv"})
    assert other.status_code == 403 and "本县" in other.json()["message"]
    assert api.get(url, {"county": "prefecture", "format": "csv"}).status_code == 403
    assert client_for(clerk_xichang).get(reverse("report-progress-file"),
                                         {"county": ZHAOJUE, "format": "csv"}).status_code == 403
    assert not ExportRecord.objects.exists()
    own = api.get(url, {"county": XICHANG, "format": "csv"})
    assert own.status_code == 200
    b"".join(own.streaming_content)
    default = api.get(url, {"format": "csv"})  # no county: the clerk's own
    assert default.status_code == 200 and f"{XICHANG}," in b"".join(default.streaming_content).decode("utf-8-sig")
    assert ExportRecord.objects.filter(user=clerk_xichang).count() == 2


@pytest.mark.parametrize("role", ["official", "auditor", "admin"])
def test_readers_export_the_whole_prefecture_and_any_county(users, role, data):
    api = api_for(users[role])
    for county in ("prefecture", ZHAOJUE, XICHANG):
        response = api.get(PROGRESS, {"county": county, "format": "xlsx"})
        assert response.status_code == 200, response.content[:200]


@pytest.mark.parametrize("params, message", [
    ({"county": "999999"}, "未知的县市代码"), ({"format": "docx"}, "format"), ({"year": "abc"}, "年度"),
    ({"as_of": "yesterday"}, "as_of"), ({"as_of": "2999-01-01"}, "as_of"), ({"plan": "nope"}, "实施方案"),
])
def test_bad_parameters_get_a_clear_message_and_change_nothing(official, data, params, message):
    response = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "format": "csv", **params})
    assert response.status_code == 400 and message in response.json()["message"]
    assert not ExportRecord.objects.exists()


def test_bad_cycle_is_refused(official, data):
    response = api_for(official).get(EVALUATION, {"cycle": "1990-1995", "format": "csv"})
    assert response.status_code == 400 and "规划周期" in response.json()["message"]


def test_records_are_listed_to_readers_and_to_their_own_clerk_only(users, clerk_xichang, clerk_zhaojue, data):
    api_for(clerk_xichang).get(PROGRESS, {"format": "xlsx"})
    api_for(users["official"]).get(PROGRESS, {"format": "xlsx"})
    mine = api_for(clerk_xichang).get("/api/v1/reports/exports/").json()
    assert [r["user"] for r in mine["results"]] == ["clerk_xichang"]
    assert api_for(clerk_zhaojue).get("/api/v1/reports/exports/").json()["count"] == 0
    assert api_for(users["auditor"]).get("/api/v1/reports/exports/").json()["count"] == 2
    assert api_for(None).get("/api/v1/reports/exports/").status_code in (401, 403)


def test_a_background_file_is_downloaded_only_by_those_who_see_its_record(clerk_xichang, clerk_zhaojue, auditor,
                                                                            data, settings, tmp_path,
                                                                            django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clerk_xichang).post(reverse("report-job"), {"kind": "progress", "format": "xlsx"})
    assert response.status_code == 302
    record = ExportRecord.objects.get()
    assert record.status == "done" and record.scope.startswith(f"progress: county={XICHANG}")
    url = reverse("report-download", args=[record.pk])
    assert client_for(clerk_xichang).get(url).status_code == 200
    assert client_for(auditor).get(url).status_code == 200
    assert client_for(clerk_zhaojue).get(url).status_code == 404


def test_a_clerk_cannot_queue_another_countys_report(clerk_xichang, data):
    response = client_for(clerk_xichang).post(reverse("report-job"), {"kind": "evaluation", "county": ZHAOJUE,
                                                                      "format": "pdf"})
    assert response.status_code == 403 and not ExportRecord.objects.exists()


@pytest.mark.parametrize("page, args, expected", [
    ("home", [], "county=prefecture"), ("county-page", [ZHAOJUE], f"county={ZHAOJUE}"),
    ("indicator-page", ["CMP-01"], "indicator=CMP-01"),
])
def test_the_pages_carry_export_buttons_for_their_scope(official, data, page, args, expected):
    html = client_for(official).get(reverse(page, args=args)).content.decode()
    assert reverse("report-progress-file") + "?" in html and expected in html


def test_a_clerks_export_buttons_name_their_own_county(clerk_xichang, data):
    html = client_for(clerk_xichang).get(reverse("indicator-page", args=["CMP-01"])).content.decode()
    assert f"county={XICHANG}" in html and "county=prefecture" not in html


def test_a_queued_job_checks_the_scope_again_when_it_runs(clerk_xichang, data, settings, tmp_path):
    """A record asking for another county (or made for a user who has lost their role) is never built."""
    from django.contrib.auth import get_user_model

    from reports import exports

    settings.MEDIA_ROOT = tmp_path
    other = ExportRecord.objects.create(user=clerk_xichang, kind="progress", scope="x", format="csv",
                                        params={"kind": "progress", "county": ZHAOJUE}, status="pending")
    nobody = get_user_model().objects.create(username="former_clerk")
    gone = ExportRecord.objects.create(user=nobody, kind="progress", scope="x", format="csv",
                                       params={"kind": "progress", "county": ZHAOJUE}, status="pending")
    assert exports.run_job(str(other.pk)) == "failed" and "本县" in ExportRecord.objects.get(pk=other.pk).error
    assert exports.run_job(str(gone.pk)) == "failed"
    assert not list(tmp_path.rglob("*.csv"))


def test_verification_names_only_records_the_user_may_see(official, clerk_xichang, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = api_for(official).get(PROGRESS, {"county": ZHAOJUE, "format": "xlsx"}).content
    found = api_for(clerk_xichang).post("/api/v1/reports/verify/", {"file": SimpleUploadedFile("r.xlsx", body)},
                                        format="multipart").json()
    assert found["found"] is False and found["records"] == []


@pytest.mark.parametrize("role", ["official", "auditor", "clerk_xichang"])
def test_the_exports_page_is_in_every_roles_navigation(users, role):
    from tests.conftest import client_for

    page = client_for(users[role]).get("/").content.decode() if role != "clerk_xichang" else \
        client_for(users[role]).get("/counties/513401/").content.decode()
    assert 'href="/reports/"' in page
