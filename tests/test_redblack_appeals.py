"""Appeals (申诉): within the window, by the county's clerk; upheld → a correction version; all audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from redblack import appeals, lists
from redblack.models import Appeal, Publication
from tests.conftest import client_for
from tests.redblack_data import YEAR, default_rules, lagging_zhaojue  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(official):
    lagging_zhaojue()
    return lists.publish(official, "2026-Q3", YEAR).entries.get(list="black")


@pytest.mark.parametrize("role", ["clerk_xichang", "official", "auditor", "admin"])
def test_only_the_county_clerk_appeals(users, entry, role):
    with pytest.raises(PermissionDenied):
        appeals.file(users[role], entry, reason="x")
    assert client_for(users[role]).get(reverse("redblack-appeal", args=[entry.pk])).status_code == 403


def test_an_appeal_after_the_window_is_refused(clerk_zhaojue, entry, settings, monkeypatch):
    settings.REDBLACK_APPEAL_DAYS = 7
    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(appeals.AppealError, match="申诉期已过"):
        appeals.file(clerk_zhaojue, entry, reason="数据已更正")


def test_one_pending_appeal_per_entry(clerk_zhaojue, entry):
    appeals.file(clerk_zhaojue, entry, reason="数据已更正")
    with pytest.raises(appeals.AppealError):
        appeals.file(clerk_zhaojue, entry, reason="again")


def test_an_upheld_appeal_publishes_a_correction(official, clerk_zhaojue, entry):
    appeal = appeals.file(clerk_zhaojue, entry, reason="2025年数据已重新审核")
    decided = appeals.decide(official, appeal, uphold=True, decision="核实属实")
    fixed = decided.correction
    assert (fixed.version, fixed.corrects_id) == (2, entry.publication_id) and "核实属实" in fixed.reason
    assert not fixed.entries.filter(list="black").exists() and entry.publication.entries.filter(list="black").exists()
    assert lists.current("2026-Q3") == fixed
    assert [h.status for h in appeal.history.order_by("history_date")] == ["pending", "upheld"]  # audited
    with pytest.raises(appeals.AppealError):
        appeals.decide(official, appeal, uphold=False, decision="again")
    with pytest.raises(appeals.AppealError, match="已被更正"):
        appeals.file(clerk_zhaojue, entry, reason="on the old version")


def test_a_rejected_appeal_changes_no_list(official, clerk_zhaojue, entry):
    appeal = appeals.decide(official, appeals.file(clerk_zhaojue, entry, reason="不服"), uphold=False,
                            decision="数据无误")
    assert appeal.status == "rejected" and appeal.correction is None
    assert Publication.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk_zhaojue", "auditor", "admin"])
def test_only_officials_decide(users, clerk_zhaojue, entry, role):
    appeal = appeals.file(clerk_zhaojue, entry, reason="不服")
    for uphold in (True, False):  # rejecting publishes nothing: the appeal's own check is all there is
        with pytest.raises(PermissionDenied):
            appeals.decide(users[role], appeal, uphold=uphold, decision="x")
    response = client_for(users[role]).post(reverse("redblack-appeal-decide", args=[appeal.pk]),
                                            {"decision": "x", "uphold": "1"})
    assert response.status_code == 403 and Appeal.objects.get().status == "pending"


def test_the_pages(official, clerk_zhaojue, clerk_xichang, entry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clerk = client_for(clerk_zhaojue)
    response = clerk.post(reverse("redblack-appeal", args=[entry.pk]), {
        "reason": "数据已更正", "files": [SimpleUploadedFile("证明.pdf", b"%PDF-1.4 x")]})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.evidence.get().name == "证明.pdf"
    assert "数据已更正" in clerk.get(reverse("redblack-appeals")).content.decode()
    assert "数据已更正" not in client_for(clerk_xichang).get(reverse("redblack-appeals")).content.decode()
    boss = client_for(official)
    assert "提交处理结果" in boss.get(reverse("redblack-appeals")).content.decode()
    assert boss.post(reverse("redblack-appeal-decide", args=[appeal.pk]),
                     {"decision": "属实", "uphold": "1"}).status_code == 302
    assert "更正版本（第2版）" in boss.get(reverse("redblack-appeals")).content.decode()
