"""Telling people of a new notice, a reminder (催办), an escalation (yellow, red) and an appeal's decision.

Reuses the alarms' delivery: one bell item (``alarms.models.Notification``) per person told, e-mailed through
Django's mail backend by ``alarms.services.send_emails`` — only to those who have an address and chose e-mail
(``NotificationSetting``), each item at most once — after the transaction commits, so nothing is sent for a change
that was rolled back.
"""
from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alarms.audience import told_for
from alarms.choices import Audience
from alarms.models import Notification
from alarms.services import send_emails
from redblack.choices import EventKind
from redblack.models import Appeal, SupervisionNotice


def recipients(county_id: int, kind: str) -> list:
    """Who is told of a notice's step ``kind`` for a county, by the one escalation ladder of the project
    (``alarms.audience``): a new notice and a reminder (催办) its clerks; yellow also the county's responsible
    leader (县级责任领导), "the next person up"; red the prefecture officials as well."""
    level = {EventKind.YELLOW: Audience.LEADER, EventKind.RED: Audience.OFFICIAL}.get(kind, Audience.CLERK)
    return told_for(level, county_id)


def tell(users, text: str, link: str) -> int:
    """One bell item per user; e-mail after commit to those who want it. Returns how many were told."""
    items = Notification.objects.bulk_create([Notification(user=u, text=text[:300], link=link) for u in users])
    ids = [n.pk for n in items if n.pk]
    if ids:
        transaction.on_commit(lambda: send_emails(ids))
    return len(items)


def _texts() -> dict[str, str]:
    return {
        EventKind.CREATED: _("新督导通知：%(county)s %(title)s，请于%(deadline)s前回复整改方案"),
        EventKind.REMINDED: _("催办：%(county)s %(title)s，回复期限 %(deadline)s"),
        EventKind.YELLOW: _("督导通知逾期转黄牌：%(county)s %(title)s（期限 %(deadline)s）"),
        EventKind.RED: _("督导通知逾期转红牌并上报：%(county)s %(title)s（期限 %(deadline)s）"),
    }


def notice_step(notice: SupervisionNotice, kind: str) -> int:
    """Tell those concerned that a notice was issued, reminded or escalated."""
    text = _texts()[kind] % {"county": notice.county.name, "title": notice.title,
                             "deadline": notice.deadline.isoformat()}
    return tell(recipients(notice.county_id, kind), text, reverse("supervision-notice", args=[notice.pk]))


def appeal_decided(appeal: Appeal) -> int:
    """Tell the county's clerks (and whoever filed it) how their appeal was decided and why."""
    entry = appeal.entry
    text = _("申诉处理结果（%(status)s）：%(county)s %(period)s %(item)s — %(decision)s") % {
        "status": appeal.get_status_display(), "county": appeal.county.name, "period": entry.publication.period,
        "item": entry.indicator.code if entry.indicator_id else entry.get_list_display(),
        "decision": appeal.decision}
    users = recipients(appeal.county_id, EventKind.CREATED)
    if appeal.created_by.is_active and all(u.pk != appeal.created_by_id for u in users):
        users.append(appeal.created_by)
    return tell(users, text, reverse("redblack-appeals"))
