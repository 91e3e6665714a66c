"""Supervision notices raise alarms (issue 9 item 1, issue 10): a reply due soon is a blue 督导回复即将到期, a reply past
its deadline a red 督导回复逾期; a reply resolves them. Judged by the alarms' clock through the source redblack
registers."""
from __future__ import annotations

from datetime import timedelta

import pytest

from alarms import evaluation
from alarms.choices import Kind, Severity, Status
from alarms.defaults import load_default_rules
from alarms.models import Alarm
from alarms.sources import SOURCES
from places.models import County
from redblack import supervision
from tests.redblack_data import ZHAOJUE, default_rules, lagging_zhaojue  # noqa: F401
from tests.test_redblack_supervision import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(official):
    load_default_rules()
    lagging_zhaojue()
    county = County.objects.get(code=ZHAOJUE)
    d = supervision.draft(official, county)
    return supervision.create(official, county, indicators=d.indicators, deadline=TODAY + timedelta(days=10),
                              message=d.message, title="昭觉县控辍保学督导")


def supervision_alarms():
    return list(Alarm.objects.filter(kind__in=[Kind.SUPERVISION_DUE, Kind.SUPERVISION_OVERDUE])
                .order_by("raised_at", "pk"))


def test_redblack_registers_its_source():
    assert SOURCES["supervision"][0] == (Kind.SUPERVISION_DUE, Kind.SUPERVISION_OVERDUE)


def test_due_soon_then_overdue_then_resolved_by_the_reply(notice, clerk_zhaojue):
    evaluation.clock(TODAY)  # ten days left: nothing yet (the rule says 3)
    assert supervision_alarms() == []
    evaluation.clock(TODAY + timedelta(days=8))
    [due] = supervision_alarms()
    assert (due.kind, due.severity, due.status, due.county.code) == (
        Kind.SUPERVISION_DUE, Severity.BLUE, Status.OPEN, ZHAOJUE)
    assert "昭觉县控辍保学督导" in due.message and str(notice.deadline) in due.message
    evaluation.clock(TODAY + timedelta(days=8))  # the same day again: nothing new
    assert len(supervision_alarms()) == 1
    evaluation.clock(TODAY + timedelta(days=11))
    due.refresh_from_db()
    overdue = Alarm.objects.get(kind=Kind.SUPERVISION_OVERDUE)
    assert due.status == Status.RESOLVED and overdue.status == Status.OPEN and overdue.severity == Severity.RED
    assert "已过" in overdue.message
    supervision.reply(clerk_zhaojue, notice, text="整改方案")
    evaluation.clock(TODAY + timedelta(days=12))
    overdue.refresh_from_db()
    assert overdue.status == Status.RESOLVED
