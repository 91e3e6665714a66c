"""/api/v1/redblack/appeals/ and /api/v1/supervisions/{id}/reports/: every role on every endpoint, the window,
corrections through the API, evidence, and the one error shape."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from redblack import lists, supervision
from redblack.models import Appeal, Evidence, ProgressReport, Publication, SupervisionNotice
from tests.conftest import api_for
from tests.redblack_data import XICHANG, YEAR, ZHAOJUE, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = pytest.mark.django_db
APPEALS = "/api/v1/redblack/appeals/"


@pytest.fixture
def published(official):
    lagging_zhaojue()
    return lists.publish(official, "2026-Q3", YEAR)


@pytest.fixture
def black(published):
    return published.entries.get(list="black")  # 昭觉县 CMP-01


@pytest.fixture
def appeal(clerk_zhaojue, black):
    response = api_for(clerk_zhaojue).post(APPEALS, {"entry": black.pk, "reason": "2025年数据已重新审核"},
                                           format="json")
    assert response.status_code == 201, response.json()
    return Appeal.objects.get(pk=response.json()["id"])


# filing -------------------------------------------------------------------------------------------------------

def test_the_county_clerk_files_an_appeal_with_evidence(clerk_zhaojue, black, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api_for(clerk_zhaojue).post(APPEALS, {
        "entry": black.pk, "reason": "数据已更正", "files": [SimpleUploadedFile("证明.pdf", b"%PDF-1.4 x")]},
        format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert (body["county"], body["indicator"], body["period"], body["status"], body["list"]) == (
        ZHAOJUE, "CMP-01", "2026-Q3", "pending", "black")
    assert body["evidence"][0]["name"] == "证明.pdf" and body["evidence"][0]["url"].startswith("/supervision/evidence/")


@pytest.mark.parametrize("role, code", [("clerk_xichang", 403), ("official", 403), ("auditor", 403),
                                        ("admin", 403), ("clerk_zhaojue", 201)])
def test_only_the_clerk_of_the_entry_county_files(users, black, role, code):
    response = api_for(users[role]).post(APPEALS, {"entry": black.pk, "reason": "不服"}, format="json")
    assert response.status_code == code
    assert Appeal.objects.exists() is (code == 201)
    if code != 201:
        assert set(response.json()) == {"message", "errors"}


def test_anonymous_get_nothing(published, black):
    assert api_for(None).get(APPEALS).status_code in (401, 403)
    assert api_for(None).post(APPEALS, {"entry": black.pk, "reason": "x"}, format="json").status_code in (401, 403)
    assert api_for(None).get("/api/v1/supervisions/1/reports/").status_code in (401, 403)
    assert not Appeal.objects.exists()


def test_after_the_window_or_twice_is_a_409(clerk_zhaojue, black, appeal, monkeypatch, settings):
    api = api_for(clerk_zhaojue)
    again = api.post(APPEALS, {"entry": black.pk, "reason": "again"}, format="json")
    assert again.status_code == 409 and "待处理" in again.json()["message"]
    Appeal.objects.filter(pk=appeal.pk).update(status="rejected", decision="x")
    later = timezone.now() + timedelta(days=settings.REDBLACK_APPEAL_DAYS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    late = api.post(APPEALS, {"entry": black.pk, "reason": "late"}, format="json")
    assert late.status_code == 409 and "申诉期已过" in late.json()["message"]


@pytest.mark.parametrize("data", [{"entry": 2**70, "reason": "x"}, {"entry": "abc", "reason": "x"}, {"reason": "x"},
                                  {"entry": None, "reason": "x"}, {"entry": "ours", "reason": "   "},
                                  {"entry": "ours", "files": "x", "reason": "x"}, {"entry": "ours"}])
def test_bad_appeals_are_400s_in_the_error_shape(clerk_zhaojue, black, data):
    data = {**data, "entry": black.pk} if data.get("entry") == "ours" else data
    response = api_for(clerk_zhaojue).post(APPEALS, data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"message", "errors"}
    assert not Appeal.objects.exists()


def test_a_file_that_is_not_what_it_says_is_a_400(clerk_zhaojue, black, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api_for(clerk_zhaojue).post(APPEALS, {
        "entry": black.pk, "reason": "x", "files": [SimpleUploadedFile("fake.pdf", b"MZ not a pdf")]},
        format="multipart")
    assert response.status_code == 400 and "files" in response.json()["errors"]
    assert not Appeal.objects.exists() and not Evidence.objects.exists()


# reading ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, sees", [("clerk_zhaojue", True), ("clerk_xichang", False), ("official", True),
                                        ("auditor", True), ("admin", True)])
def test_who_sees_an_appeal(users, appeal, role, sees):
    api = api_for(users[role])
    assert (api.get(APPEALS).json()["count"] == 1) is sees
    detail = api.get(f"{APPEALS}{appeal.pk}/")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        assert detail.json()["reason"] == "2025年数据已重新审核"


def test_the_filters(official, appeal):
    api = api_for(official)
    assert api.get(APPEALS, {"status": "pending", "county": ZHAOJUE, "period": "2026-Q3", "list": "black"}) \
        .json()["count"] == 1
    assert api.get(APPEALS, {"county": XICHANG}).json()["count"] == 0
    assert api.get(APPEALS, {"status": "upheld"}).json()["count"] == 0
    bad = api.get(APPEALS, {"status": "maybe"})
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


# deciding -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, code", [("clerk_zhaojue", 403), ("clerk_xichang", 403), ("auditor", 403),
                                        ("admin", 403), ("official", 200)])
def test_only_officials_decide(users, appeal, role, code):
    response = api_for(users[role]).post(f"{APPEALS}{appeal.pk}/decide/", {"uphold": False, "decision": "数据无误"},
                                         format="json")
    assert response.status_code == code
    appeal.refresh_from_db()
    assert (appeal.status == "rejected") is (code == 200)


def test_an_upheld_appeal_publishes_a_correction_through_the_api(official, appeal, published):
    api = api_for(official)
    body = api.post(f"{APPEALS}{appeal.pk}/decide/", {"uphold": True, "decision": "核实属实"}, format="json").json()
    assert (body["status"], body["decision"], body["correction_version"]) == ("upheld", "核实属实", 2)
    fixed = Publication.objects.get(pk=body["correction"])
    assert fixed.corrects == published and "核实属实" in fixed.reason
    lists_now = api.get("/api/v1/redblack/", {"period": "2026-Q3"}).json()["results"]
    assert [(e["list"], e["version"]) for e in lists_now] == [("red", 2)]
    assert api.get("/api/v1/redblack/", {"period": "2026-Q3", "version": 1}).json()["count"] == 2  # kept
    again = api.post(f"{APPEALS}{appeal.pk}/decide/", {"uphold": False, "decision": "x"}, format="json")
    assert again.status_code == 409 and set(again.json()) == {"message", "errors"}


@pytest.mark.parametrize("data", [{"uphold": True}, {"decision": "x"}, {"uphold": "maybe", "decision": "x"},
                                  {"uphold": True, "decision": "  "}])
def test_bad_decisions_are_400s(official, appeal, data):
    response = api_for(official).post(f"{APPEALS}{appeal.pk}/decide/", data, format="json")
    assert response.status_code == 400 and set(response.json()) == {"message", "errors"}
    assert Appeal.objects.get().status == "pending"


def test_deciding_an_appeal_one_cannot_see_or_that_does_not_exist(official):
    response = api_for(official).post(f"{APPEALS}999999/decide/", {"uphold": True, "decision": "x"}, format="json")
    assert response.status_code == 404 and set(response.json()) == {"message", "errors"}


# progress reports on a notice ---------------------------------------------------------------------------------

@pytest.fixture
def notice(official, published):
    from places.models import County
    draft = supervision.draft(official, County.objects.get(code=ZHAOJUE))
    return supervision.create(official, draft.county, indicators=draft.indicators, deadline=draft.deadline,
                              message=draft.message)


def _reports(notice) -> str:
    return f"/api/v1/supervisions/{notice.pk}/reports/"


@pytest.mark.parametrize("role, code", [("clerk_xichang", 404), ("official", 403), ("auditor", 403), ("admin", 403),
                                        ("clerk_zhaojue", 201)])
def test_only_the_county_clerk_reports_progress(users, notice, role, code):
    response = api_for(users[role]).post(_reports(notice), {"text": "已完成控辍保学排查"}, format="json")
    assert response.status_code == code
    assert ProgressReport.objects.exists() is (code == 201)
    if code == 201:
        assert (response.json()["author"], response.json()["text"]) == ("clerk_zhaojue", "已完成控辍保学排查")


@pytest.mark.parametrize("role, sees", [("clerk_zhaojue", True), ("clerk_xichang", False), ("official", True),
                                        ("auditor", True), ("admin", True)])
def test_who_reads_the_progress_reports(users, notice, clerk_zhaojue, role, sees):
    supervision.report_progress(clerk_zhaojue, notice, text="第一次进展")
    response = api_for(users[role]).get(_reports(notice))
    assert response.status_code == (200 if sees else 404)
    if sees:
        assert [r["text"] for r in response.json()] == ["第一次进展"]


def test_a_report_with_evidence_and_none_after_closing(official, clerk_zhaojue, notice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api = api_for(clerk_zhaojue)
    body = api.post(_reports(notice), {"text": "进展", "files": [SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\nxx")]},
                    format="multipart").json()
    assert body["evidence"][0]["name"] == "照片.png"
    bad = api.post(_reports(notice), {"text": "x", "files": [SimpleUploadedFile("a.exe", b"MZ")]}, format="multipart")
    assert bad.status_code == 400 and "files" in bad.json()["errors"]
    assert api.post(_reports(notice), {"text": "  "}, format="json").status_code == 400
    supervision.reply(clerk_zhaojue, notice, text="方案")
    supervision.close(official, SupervisionNotice.objects.get(pk=notice.pk), "核查属实")
    late = api.post(_reports(notice), {"text": "又一次"}, format="json")
    assert late.status_code == 409 and "已销号" in late.json()["message"]
    assert ProgressReport.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_a_refusal_comes_before_the_body_is_read(users, appeal, notice, role):
    api = api_for(users[role])
    assert api.post(f"{APPEALS}{appeal.pk}/decide/", {"uphold": "bad"}, format="json").status_code == 403
    if role != "clerk_zhaojue":
        assert api.post(APPEALS, {"entry": "bad"}, format="json").status_code == 403
        assert api.post(_reports(notice), {"text": ""}, format="json").status_code == 403
