"""Appeals (申诉) against a published entry: by the county's clerk within ``REDBLACK_APPEAL_DAYS`` of the
publication, decided by an official with a reason; an upheld appeal publishes a correction without the entry."""
from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liangshan_edu.roles import can_read_all, can_review, is_clerk_of
from redblack import conf, evidence, lists, notify
from redblack.choices import AppealStatus
from redblack.models import Appeal, Entry


class AppealError(ValueError):
    pass


def window_ends(entry: Entry):
    return entry.publication.published_at + timedelta(days=conf.appeal_days())


def may_appeal(user, entry: Entry, now=None) -> bool:
    """The county's clerk, on the period's current version, within the window."""
    return (is_clerk_of(user, entry.county_id) and (now or timezone.now()) <= window_ends(entry)
            and lists.current(entry.publication.period).pk == entry.publication_id)


def file(user, entry: Entry, *, reason: str, files=()) -> Appeal:
    if not is_clerk_of(user, entry.county_id):
        raise PermissionDenied(_("只有该县市的填报员可以对本县条目申诉。"))
    if timezone.now() > window_ends(entry):
        raise AppealError(_("申诉期已过（发布后 %(days)s 天内可申诉）。") % {"days": conf.appeal_days()})
    if lists.current(entry.publication.period).pk != entry.publication_id:
        raise AppealError(_("此条目所在版本已被更正，请对最新版本申诉。"))
    if not reason.strip():
        raise AppealError(_("请填写申诉理由。"))
    for f in files:
        evidence.check(f)
        f.seek(0)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(entry=entry, county_id=entry.county_id, reason=reason.strip(),
                                           created_by=user)
            for f in files:
                evidence.store(user, f, appeal=appeal)
    except IntegrityError:
        raise AppealError(_("此条目已有待处理的申诉。")) from None
    return appeal


def decide(user, appeal: Appeal, *, uphold: bool, decision: str) -> Appeal:
    """Uphold (a correction without the entry is published, naming the appeal) or reject, with a reason."""
    if not can_review(user):
        raise PermissionDenied(_("只有州级管理员可以处理申诉。"))
    if not decision.strip():
        raise AppealError(_("请填写处理意见。"))
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != AppealStatus.PENDING:
            raise AppealError(_("此申诉已处理。"))
        if uphold:
            entry = locked.entry
            latest = lists.current(entry.publication.period)
            twin = [e.pk for e in latest.entries.all() if (e.list, e.county_id, e.indicator_id, e.rule)
                    == (entry.list, entry.county_id, entry.indicator_id, entry.rule)]
            if not twin:
                raise AppealError(_("该条目已不在最新版本中。"))
            locked.correction = lists.correct(user, latest, remove=twin, reason=_(
                "申诉成立（%(county)s，申诉编号 %(id)s）：%(decision)s") % {
                "county": entry.county.name, "id": locked.pk, "decision": decision.strip()})
        locked.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        locked.decision, locked.decided_by, locked.decided_at = decision.strip(), user, timezone.now()
        locked.save()
        notify.appeal_decided(locked)
    return locked


def visible_to(user):
    qs = Appeal.objects.select_related("entry__publication", "entry__indicator", "county", "created_by",
                                       "decided_by", "correction")
    if can_read_all(user):
        return qs
    from liangshan_edu.roles import county_of

    county = county_of(user)
    return qs.filter(county=county) if county else qs.none()
