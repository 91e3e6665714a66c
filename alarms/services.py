"""The one path by which alarms change: findings in, alarms raised, kept or resolved; acknowledgement, silences,
escalation and notifications. Pages, the API, the receivers and the beat tasks all call these."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alarms.choices import (ACTIVE, AUDIENCE_ORDER, SEVERITY_ORDER, Audience, Delivery, Status, one_up)
from alarms.judging import CLEAR, RAISE
from alarms.models import Alarm, AlarmRule, Notification, NotificationSetting, Silence, cause_key
from liangshan_edu.roles import can_review

log = logging.getLogger(__name__)

# What each history record of an alarm says happened (its change reason), shown translated on the alarm's page.
RAISED, RESOLVED, ESCALATED, ACKNOWLEDGED, REVIEWED = "raised", "resolved", "escalated", "acknowledged", "reviewed"
EVENTS = {RAISED: gettext_lazy("报警产生"), RESOLVED: gettext_lazy("原因消除，自动解除"),
          ESCALATED: gettext_lazy("未处理超过间隔，升级"), ACKNOWLEDGED: gettext_lazy("州级确认"),
          REVIEWED: gettext_lazy("更正已审阅，解除")}


@dataclass(frozen=True)
class Finding:
    """What a judge concluded about one cause: ``verdict`` is RAISE, KEEP or CLEAR (``alarms.judging``)."""

    kind: str
    county_id: int
    indicator_id: int | None
    period: str
    verdict: str
    # The alarm's text: a string, or a function giving it (called only for an alarm actually raised — most
    # findings of a full recompute keep an alarm or raise nothing, and translating each would cost).
    message: str | Callable[[], str] = ""

    @property
    def cause(self) -> str:
        return cause_key(self.kind, self.county_id, self.indicator_id, self.period)

    def text(self) -> str:
        return str(self.message() if callable(self.message) else self.message)


@dataclass
class Outcome:
    raised: list[Alarm]
    resolved: list[Alarm]


def enabled_rules(using: str = "default") -> dict[str, AlarmRule]:
    return {r.kind: r for r in AlarmRule.objects.using(using).filter(enabled=True)}


def apply(findings: list[Finding], *, kinds: tuple[str, ...] | None = None, using: str = "default",
          now=None, scope_all: bool = False, counties: set[int] | None = None,
          active: dict[str, int] | None = None) -> Outcome:
    """Raise what is newly there, resolve what went away, keep the rest: a fixed number of queries whatever the
    number of findings.

    ``counties``: the findings are about these counties only (the incremental recompute, one submission):
    only their active alarms are read. ``scope_all``: the findings cover every cause of ``kinds`` (in
    ``counties``, if given): an active alarm without a finding is resolved too (its cause is no longer there).
    ``active``: the active alarms of ``kinds`` (in ``counties``) as cause → id, when the caller read them already.
    """
    now = now or timezone.now()
    kinds = tuple(kinds or {f.kind for f in findings})
    if active is None:
        current = Alarm.objects.using(using).filter(kind__in=kinds, status__in=ACTIVE)
        if counties is not None:
            current = current.filter(county_id__in=counties)
        active = dict(current.values_list("cause", "id"))  # ids only: most causes are merely kept
    if not scope_all and not any((f.verdict == RAISE) != (f.cause in active) for f in findings
                                 if f.verdict in (RAISE, CLEAR)):
        return Outcome([], [])  # nothing to raise or resolve (most recomputes): no more queries
    rules = enabled_rules(using)
    by_cause = {f.cause: f for f in findings if f.kind in rules}
    raising = [f for c, f in by_cause.items() if f.verdict == RAISE and c not in active]
    ending = [active[c] for c, f in by_cause.items() if f.verdict == CLEAR and c in active]
    if scope_all:
        ending += [pk for c, pk in active.items() if c not in by_cause]
    silenced = set(Silence.objects.using(using).in_force(timezone.localdate(now))
                   .values_list("rule_id", "county_id")) if raising else set()
    created = [Alarm(rule=rules[f.kind], kind=f.kind, county_id=f.county_id, indicator_id=f.indicator_id,
                     period=f.period, cause=f.cause, severity=rules[f.kind].severity,
                     audience=rules[f.kind].audience, message=f.text(), raised_at=now)
               for f in raising if (rules[f.kind].pk, f.county_id) not in silenced]
    resolved = list(Alarm.objects.using(using).filter(pk__in=ending)) if ending else []
    with transaction.atomic(using=using):
        for alarm in resolved:
            alarm.status, alarm.resolved_at = Status.RESOLVED, now
        if resolved:
            Alarm.objects.using(using).bulk_update(resolved, ["status", "resolved_at"])
            record(resolved, RESOLVED, now, using)
        if created:
            created = Alarm.objects.using(using).bulk_create(created)
            if not all(a.pk for a in created):  # not every database returns the new ids
                created = list(Alarm.objects.using(using).filter(
                    cause__in=[a.cause for a in created], status=Status.OPEN).select_related("rule"))
            record(created, RAISED, now, using, type_="+")
            notify(created, using=using)
    return Outcome(created, resolved)


def record(alarms: list[Alarm], reason: str, when, using: str = "default", type_: str = "~") -> None:
    """The history rows of changes the machine made in bulk (raised, resolved, escalated), written on ``using``
    (django-simple-history's bulk helpers write on the default database only). The user is the one whose
    request set the change off (an approval, a submission), if any; none for beat."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    History = Alarm.history.model
    names = [f.attname for f in Alarm._meta.concrete_fields]
    History.objects.using(using).bulk_create([
        History(**{n: getattr(a, n) for n in names}, history_date=when, history_type=type_,
                history_change_reason=reason, history_user_id=user_id) for a in alarms])


def acknowledge(user, alarm: Alarm, comment: str) -> Alarm:
    """An official acknowledges an open alarm with a comment (what is being done). Audited."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以确认报警。"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("请填写确认意见。")]})
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.status != Status.OPEN:
            raise ValidationError({"status": [_("只有未处理的报警可以确认。")]})
        alarm.status, alarm.comment = Status.ACKNOWLEDGED, comment
        alarm.acknowledged_at, alarm.acknowledged_by = timezone.now(), user
        alarm._history_user = user
        alarm._change_reason = ACKNOWLEDGED
        alarm.save()
    return alarm


def silence(user, rule: AlarmRule, county, until: date, reason: str) -> Silence:
    """An official silences a rule for a county until a date (inclusive), with a reason (an approved exemption).
    It expires by itself; the record and its history stay."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以静默报警。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写静默原因（批准的豁免）。")]})
    if until < timezone.localdate():
        raise ValidationError({"until": [_("静默截止日期不能早于今天。")]})
    s = Silence(rule=rule, county=county, until=until, reason=reason, created_by=user)
    s._history_user = user
    s.save()
    return s


def escalate(now=None, using: str = "default") -> list[Alarm]:
    """Every alarm still open (not acknowledged) longer than its rule's interval since it was raised or last
    escalated moves up a colour and reaches the next person up. Idempotent within an interval."""
    now = now or timezone.now()
    moved = []
    for alarm in (Alarm.objects.using(using).filter(status=Status.OPEN, rule__escalate_after_days__isnull=False)
                  .select_related("rule")):
        since = alarm.escalated_at or alarm.raised_at
        if now - since < timedelta(days=alarm.rule.escalate_after_days):
            continue
        severity = one_up(SEVERITY_ORDER, alarm.severity)
        audience = one_up(AUDIENCE_ORDER, alarm.audience)
        if severity == alarm.severity and audience == alarm.audience:
            continue  # already red and at the prefecture
        alarm.severity, alarm.audience = severity, audience
        alarm.escalated_at, alarm.escalations = now, alarm.escalations + 1
        moved.append(alarm)
    if moved:
        Alarm.objects.using(using).bulk_update(moved, ["severity", "audience", "escalated_at", "escalations"])
        record(moved, ESCALATED, now, using)
        notify(moved, using=using, escalated=True)
    return moved


# ── notifications ───────────────────────────────────────────────────────────────────────────────────────────

def audience_users(alarms: list[Alarm], using: str = "default") -> dict[int, list]:
    """Who is told of each alarm (by alarm id), at the step it has reached (``alarms.audience.told``)."""
    from alarms.audience import told

    by_level: dict[str, set[int]] = {}
    for a in alarms:
        by_level.setdefault(a.audience, set()).add(a.county_id)
    people = {level: told(level, counties, using) for level, counties in by_level.items()}
    return {a.pk: people[a.audience][a.county_id] for a in alarms}


def notify(alarms: list[Alarm], *, using: str = "default", escalated: bool = False) -> int:
    """One bell item per alarm and person told; e-mail at once for rules delivered immediately, to those who
    want it (after the transaction commits)."""
    if not alarms:
        return 0
    from places.models import County

    told = audience_users(alarms, using)
    if not any(told.values()):
        return 0
    names = dict(County.objects.using(using).filter(pk__in={a.county_id for a in alarms}).values_list("id", "name"))
    items = []
    for alarm in alarms:
        text = (_("报警升级：%(alarm)s") if escalated else _("新报警：%(alarm)s")) % {
            "alarm": f"{names.get(alarm.county_id, '')} {alarm.get_kind_display()}"}
        for user in told.get(alarm.pk, []):
            items.append(Notification(user=user, alarm=alarm, text=text[:300], link=f"/alarms/{alarm.pk}/"))
    Notification.objects.using(using).bulk_create(items)
    immediate = [n for n in items if n.alarm.rule.delivery == Delivery.IMMEDIATE]
    if immediate:
        transaction.on_commit(lambda: send_emails([n.pk for n in immediate if n.pk] or None, using), using=using)
    return len(items)


def wants_email(user) -> bool:
    setting = NotificationSetting.objects.filter(user=user).first()
    return bool(user.email and setting and setting.email)


def send_emails(notification_ids: list[int] | None, using: str = "default") -> int:
    """E-mail bell items to their users who have an address and want mail; each item at most once."""
    from django.core.mail import send_mail

    if not notification_ids:
        return 0
    sent = 0
    for n in (Notification.objects.using(using).filter(pk__in=notification_ids, emailed_at__isnull=True,
                                                       user__notification_setting__email=True)
              .exclude(user__email="").select_related("user")):
        send_mail(n.text, n.text + "\n" + n.link, None, [n.user.email])
        Notification.objects.using(using).filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def unread_for(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_read(user, ids: list[int] | None = None) -> int:
    qs = unread_for(user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notify_returned(county_id: int, indicator_id: int, year: int, reason: str, reopened: bool = False) -> int:
    """A bell item for each clerk of the county when an official returns one of its figures (or reopens an
    approved one) — issue 9: the bell has "the user's unread items (alarms in scope, returned figures,
    bulletins)"; e-mailed to those who want mail."""
    from django.urls import reverse

    from alarms.audience import told_for
    from indicators.models import Indicator
    from places.models import County

    clerks = told_for(Audience.CLERK, county_id)
    if not clerks:
        return 0
    county = County.objects.get(pk=county_id)
    code = Indicator.objects.values_list("code", flat=True).get(pk=indicator_id)
    text = (_("已审核数据被重新开放：%(what)s（%(reason)s）") if reopened else
            _("数据被退回：%(what)s（%(reason)s）")) % {"what": f"{county.name} {year} {code}", "reason": reason}
    link = reverse("figure-entry", args=[year]) + f"#row-{code}"
    items = Notification.objects.bulk_create([Notification(user=u, text=text[:300], link=link) for u in clerks])
    ids = [n.pk for n in items if n.pk]
    transaction.on_commit(lambda: send_emails(ids or None))
    return len(items)
