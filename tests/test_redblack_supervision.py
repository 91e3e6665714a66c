"""Supervision notices: 催办 and escalation (idempotent, colour history kept), evidence uploads, the record."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from places.models import County
from redblack import lists, record, supervision
from redblack.evidence import EvidenceError
from redblack.models import Evidence, NoticeEvent, SupervisionNotice
from redblack.tasks import escalate_notices
from tests.conftest import client_for
from tests.redblack_data import HUILI, YEAR, ZHAOJUE, default_rules, lagging_zhaojue, progress  # noqa: F401

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def notice(official):
    lagging_zhaojue()
    county = County.objects.get(code=ZHAOJUE)
    d = supervision.draft(official, county)
    return supervision.create(official, county, indicators=d.indicators, deadline=TODAY + timedelta(days=10),
                              message=d.message, title=d.title)


def test_the_prefill_names_the_lagging_indicators_rounded_and_the_setting_deadline(official, settings):
    settings.SUPERVISION_REPLY_DAYS = 20
    lagging_zhaojue()
    d = supervision.draft(official, County.objects.get(code=ZHAOJUE), today=date(2026, 11, 1))
    assert [i.code for i in d.indicators] == ["CMP-01"] and d.deadline == date(2026, 11, 21)
    assert d.figures[0]["value"] == "90" and d.figures[0]["expected"] == "95"  # 90.04 and 94.96, as shown
    assert "CMP-01" in d.message and "2026-11-21" in d.message


def test_a_notice_cannot_be_due_in_the_past_or_name_no_indicator(official):
    county = County.objects.get(code=ZHAOJUE)
    with pytest.raises(supervision.NoticeError):
        supervision.create(official, county, indicators=[], deadline=TODAY, message="m")
    from indicators.models import Indicator
    with pytest.raises(supervision.NoticeError):
        supervision.create(official, county, indicators=[Indicator.objects.get(code="CMP-01")],
                           deadline=TODAY - timedelta(days=1), message="m")


def _kinds(notice) -> list[tuple[str, str]]:
    return [(e.kind, e.colour) for e in NoticeEvent.objects.filter(notice=notice).order_by("at", "pk")]


def test_reminder_then_yellow_then_red_each_once(notice, settings):
    settings.SUPERVISION_REMIND_DAYS, settings.SUPERVISION_RED_AFTER_DAYS = 3, 7
    deadline = notice.deadline
    assert supervision.escalate(deadline - timedelta(days=4)) == {"reminded": 0, "yellow": 0, "red": 0}
    assert supervision.escalate(deadline - timedelta(days=3))["reminded"] == 1
    assert supervision.escalate(deadline - timedelta(days=1))["reminded"] == 0  # reminded once
    assert supervision.escalate(deadline) == {"reminded": 0, "yellow": 0, "red": 0}  # the deadline day is in time
    assert supervision.escalate(deadline + timedelta(days=1))["yellow"] == 1
    assert supervision.escalate(deadline + timedelta(days=7))["red"] == 0
    assert supervision.escalate(deadline + timedelta(days=8))["red"] == 1
    again = supervision.escalate(deadline + timedelta(days=9))
    assert again == {"reminded": 0, "yellow": 0, "red": 0}
    notice.refresh_from_db()
    assert notice.colour == "red" and notice.reminded_at is not None
    assert _kinds(notice) == [("created", "green"), ("reminded", "green"), ("yellow", "yellow"), ("red", "red")]


def test_a_replied_or_closed_notice_is_not_escalated(notice, clerk_zhaojue):
    supervision.reply(clerk_zhaojue, notice, text="整改方案")
    assert supervision.escalate(notice.deadline + timedelta(days=30)) == {"reminded": 0, "yellow": 0, "red": 0}


def test_the_beat_task_is_idempotent(notice):
    SupervisionNotice.objects.filter(pk=notice.pk).update(deadline=TODAY - timedelta(days=30))
    first = escalate_notices.delay().get()
    assert first == {"reminded": 0, "yellow": 1, "red": 1}
    assert escalate_notices.delay().get() == {"reminded": 0, "yellow": 0, "red": 0}
    assert NoticeEvent.objects.filter(notice=notice).count() == 3


def test_the_reminder_shows_on_the_clerk_home_page(notice, clerk_zhaojue):
    supervision.escalate(notice.deadline - timedelta(days=1))
    html = client_for(clerk_zhaojue).get(reverse("county-page", args=[ZHAOJUE])).content.decode()
    assert "已催办" in html and notice.title in html


def test_who_saw_it_and_when(notice, clerk_zhaojue, auditor):
    for user in (clerk_zhaojue, clerk_zhaojue, auditor):
        client_for(user).get(reverse("supervision-notice", args=[notice.pk]))
    seen = {v.user.username: v.times for v in notice.views.all()}
    assert seen == {"clerk_zhaojue": 2, "auditor": 1}


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_only_officials_create_a_notice(users, role):
    lagging_zhaojue()
    county = County.objects.get(code=ZHAOJUE)
    d = supervision.draft(users["official"], county)
    with pytest.raises(PermissionDenied):
        supervision.create(users[role], county, indicators=d.indicators, deadline=d.deadline, message=d.message)
    assert not SupervisionNotice.objects.exists()


def test_only_the_county_clerk_answers_and_only_officials_decide(notice, users):
    for name in ("official", "auditor", "admin", "clerk_xichang"):
        with pytest.raises(PermissionDenied):
            supervision.reply(users[name], notice, text="x")
    for name in ("clerk_zhaojue", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            supervision.close(users[name], notice)


# evidence -------------------------------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_is_stored_under_media_root_and_served_only_to_readers(notice, users, media):
    report = supervision.report_progress(users["clerk_zhaojue"], notice, text="已开展控辍保学",
                                         files=[SimpleUploadedFile("方案.pdf", PDF)])
    item = Evidence.objects.get(report=report)
    assert (media / item.file.name).read_bytes() == PDF and item.name == "方案.pdf" and item.file.name.endswith(".pdf")
    url = reverse("supervision-evidence", args=[item.pk])
    for name, code in [("clerk_zhaojue", 200), ("leader_zhaojue", 200), ("official", 200), ("auditor", 200),
                       ("clerk_xichang", 404), ("leader_xichang", 404)]:
        response = client_for(users[name]).get(url)
        assert response.status_code == code, name
        if code == 200:
            assert b"".join(response.streaming_content) == PDF and "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name, content, why", [
    ("evil.exe", b"MZ....", "类型不受支持"),
    ("fake.pdf", b"<html><script>", "内容与扩展名不符"),
    ("big.pdf", PDF + b"0" * 2048, "超过"),
])
def test_bad_evidence_is_refused(notice, clerk_zhaojue, media, settings, name, content, why):
    settings.SUPERVISION_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceError, match=why):
        supervision.report_progress(clerk_zhaojue, notice, text="x", files=[SimpleUploadedFile(name, content)])
    assert not Evidence.objects.exists() and not notice.reports.exists()


def test_an_upload_through_the_page(notice, clerk_zhaojue, media):
    url = reverse("supervision-notice", args=[notice.pk])
    response = client_for(clerk_zhaojue).post(url, {"action": "report", "text": "进展",
                                                     "files": [SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxx")]})
    assert response.status_code == 302 and Evidence.objects.get().name == "a.png"
    bad = client_for(clerk_zhaojue).post(url, {"action": "report", "text": "进展",
                                                "files": [SimpleUploadedFile("a.png", b"GIF89a")]})
    assert bad.status_code == 400 and "内容与扩展名不符" in bad.content.decode()


# the record -------------------------------------------------------------------------------------------------------

def test_overdue_is_judged_on_the_local_deadline_day():
    deadline = date(2026, 11, 30)
    late_evening = timezone.make_aware(timezone.datetime(2026, 11, 30, 23, 30))
    assert not record.overdue(deadline, late_evening, "replied", date(2026, 12, 5))
    assert record.overdue(deadline, late_evening + timedelta(hours=1), "replied", date(2026, 12, 5))
    assert record.overdue(deadline, None, "open", date(2026, 12, 1))
    assert not record.overdue(deadline, None, "open", deadline)


def test_the_county_record(official, clerk_zhaojue, notice):
    lists.publish(official, "2026-07", YEAR)
    lists.publish(official, "2026-08", YEAR)
    progress(HUILI, "CMP-01", YEAR, "off_track", 80, expected=95, target=96)
    SupervisionNotice.objects.filter(pk=notice.pk).update(deadline=TODAY - timedelta(days=30))
    supervision.escalate()
    rec = record.county_record(ZHAOJUE)
    assert (rec.black_periods, rec.notices, rec.overdue_replies, rec.red_escalations) == (2, 1, 1, 1)
    assert record.records()[ZHAOJUE] == rec and HUILI not in record.records()
    html = client_for(clerk_zhaojue).get(reverse("county-page", args=[ZHAOJUE])).content.decode()
    assert 'id="county-record"' in html and "红牌督办<b>1</b>" in html.replace("\n", "").replace("    ", "")
