"""Judging: the sources' findings applied through ``services.apply`` (what the receivers and the tasks call)."""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from alarms import judging, sources
from alarms.choices import ACTIVE, CLOCK_KINDS, PROGRESS_KINDS, Kind, Status
from alarms.models import Alarm
from alarms.services import REVIEWED, Finding, record, Outcome, apply, enabled_rules, escalate
from places.models import County


def after_incremental(rows: list[tuple], using: str = "default") -> Outcome:
    """The rows of one incremental recompute (one county × indicator and the prefecture's). It runs inside every
    approval's recompute, so it asks little: the county's id, the judged year and the county's active progress
    alarms in one query — the rules, and writes, only when an alarm is raised or resolved."""
    looked = sources.counties_year_and_alarms({row[0] for row in rows}, using)
    if looked.year is None or not looked.code_to_id:
        return Outcome([], [])
    findings = sources.from_rows(rows, looked.year, looked.code_to_id)
    return apply(findings, kinds=PROGRESS_KINDS, using=using, counties=set(looked.code_to_id.values()),
                 active=looked.active)


def after_full_recompute(using: str = "default", seen: sources.Seen | None = None) -> Outcome:
    """After a full recompute: ``seen`` is what the recompute showed the alarms' tap (None when the engine
    dropped it), used when it is of the year judged now."""
    year = sources.judged_year(using)
    if year is None:
        return Outcome([], [])
    if seen is not None and seen.year != year:
        seen = None
    findings, _pairs, active = sources.after_full_recompute(year, using, seen)
    return apply(findings, kinds=PROGRESS_KINDS, using=using, active=active)


def submissions(today: date | None = None, county_ids: list[int] | None = None) -> Outcome:
    """蓝 due / 黄 late for every county (or for ``county_ids``)."""
    today = today or timezone.localdate()
    rule = enabled_rules().get(Kind.SUBMISSION_DUE)
    days = rule.days if rule and rule.days is not None else 14
    counties = list(County.objects.filter(pk__in=county_ids)) if county_ids is not None else None
    findings = sources.submission_findings(today, days, counties)
    return apply(findings, kinds=CLOCK_KINDS, scope_all=True,
                 counties=set(county_ids) if county_ids is not None else None)


def after_submission(county_id: int, year: int) -> Outcome | None:
    """After one submission: judge the county's submission alarms again only when it may resolve one — the year
    is the open one, the county has an active due/late alarm, and none of its figures of the year is still a
    draft or returned (a bulk submission of 80 figures judges once, after the last). Raising is the clock's."""
    from counties.choices import FigureStatus
    from counties.models import Figure
    from liangshan_edu.calendar import open_reporting_year

    if year != open_reporting_year():
        return None
    if not Alarm.objects.filter(county_id=county_id, kind__in=CLOCK_KINDS, status__in=ACTIVE).exists():
        return None
    if Figure.objects.filter(county_id=county_id, year=year,
                             status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED]).exists():
        return None
    return submissions(county_ids=[county_id])


def correction(indicator_id: int, county_id: int, year: int) -> Outcome:
    """An approved figure approved again with a value changed by more than the plausibility threshold."""
    from counties.choices import FigureStatus
    from counties.models import Figure

    figure = Figure.objects.filter(indicator_id=indicator_id, county_id=county_id, year=year,
                                   status=FigureStatus.APPROVED).first()
    if figure is None:
        return Outcome([], [])
    earlier = (figure.history.filter(status=FigureStatus.APPROVED).exclude(approved_at=figure.approved_at)
               .order_by("-history_date").values_list("value", flat=True).first())
    if not judging.correction(None if earlier is None else float(earlier),
                              None if figure.value is None else float(figure.value),
                              settings.PLAUSIBILITY_MAX_CHANGE_SHARE):
        return Outcome([], [])
    message = _("%(year)s 年度审核通过后更正：%(old)s → %(new)s") % {
        "year": year, "old": earlier, "new": figure.value}
    return apply([Finding(Kind.CORRECTION, county_id, indicator_id, f"{year}:{figure.pk}:{figure.version}",
                          judging.RAISE, message)], kinds=(Kind.CORRECTION,), counties={county_id})


def clock(today: date | None = None) -> dict[str, int]:
    """The beat task's work: submissions, every registered source, acknowledged event alarms closed (a
    correction's cause never goes away: the official's acknowledgement is its review), then escalation."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    out = submissions(today)
    counts = {"raised": len(out.raised), "resolved": len(out.resolved)}
    for _name, (kinds, judge) in sources.SOURCES.items():
        o = apply(judge(today), kinds=kinds, scope_all=True)
        counts["raised"] += len(o.raised)
        counts["resolved"] += len(o.resolved)
    reviewed = list(Alarm.objects.filter(kind=Kind.CORRECTION, status=Status.ACKNOWLEDGED))
    for alarm in reviewed:
        alarm.status, alarm.resolved_at = Status.RESOLVED, now
    if reviewed:
        Alarm.objects.bulk_update(reviewed, ["status", "resolved_at"])
        record(reviewed, REVIEWED, now)
    counts["resolved"] += len(reviewed)
    counts["escalated"] = len(escalate(now))
    return counts

