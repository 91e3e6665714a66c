"""Supervision notices as a source of alarms (issue 9: "a supervision reply due soon or overdue"), registered with
``alarms.sources.register_source`` — alarms sits below this app and never imports it.

An open notice (new, or sent back) whose reply deadline is within the 督导回复即将到期 rule's days raises a blue
alarm; one past its deadline raises the red 督导回复逾期. A reply (or closing) removes the notice from the findings,
and the alarms' clock resolves what is no longer found. One alarm per notice and kind (the period is the notice).
"""
from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext as _

from alarms import judging
from alarms.choices import Kind
from alarms.services import Finding, enabled_rules
from alarms.sources import register_source
from redblack import conf
from redblack.choices import NoticeStatus
from redblack.models import SupervisionNotice

KINDS = (Kind.SUPERVISION_DUE, Kind.SUPERVISION_OVERDUE)


def _message(title: str, deadline: date, overdue: bool):
    def text() -> str:
        if overdue:
            return _("督导通知“%(title)s”回复期限 %(deadline)s 已过，尚未回复") % {"title": title, "deadline": deadline}
        return _("督导通知“%(title)s”须于 %(deadline)s 前回复") % {"title": title, "deadline": deadline}
    return text


def notice_findings(today: date) -> list[Finding]:
    """Every open notice that is due soon or overdue (one query)."""
    rule = enabled_rules().get(Kind.SUPERVISION_DUE)
    days = rule.days if rule is not None and rule.days is not None else conf.remind_days()
    out = []
    for pk, county_id, deadline, title in (SupervisionNotice.objects.filter(status=NoticeStatus.OPEN)
                                           .values_list("pk", "county_id", "deadline", "title")):
        period = f"notice:{pk}"
        if deadline < today:
            out.append(Finding(Kind.SUPERVISION_OVERDUE, county_id, None, period, judging.RAISE,
                               _message(title, deadline, True)))
        elif deadline <= today + timedelta(days=days):
            out.append(Finding(Kind.SUPERVISION_DUE, county_id, None, period, judging.RAISE,
                               _message(title, deadline, False)))
    return out


def register() -> None:
    register_source("supervision", KINDS, notice_findings)
