"""Alarms (智能报警, issue 9): each default rule on hand-made data, one alarm per cause, no flapping, resolution on
recovery, silences with expiry, escalation, and the clock's submission alarms."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alarms import evaluation, judging
from alarms.choices import Audience, Kind, Severity, Status
from alarms.defaults import DEFAULT_RULES, load_default_rules
from alarms.models import Alarm, AlarmRule, Notification, Silence
from alarms.services import Finding, acknowledge, apply, escalate, silence
from assessment.choices import PREFECTURE
from assessment.choices import ProgressStatus as P
from assessment.models import Progress
from assessment.services import recompute_all, recompute_for_figure
from counties.models import Figure, ReportingYear
from indicators.models import Indicator
from places.models import County

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    load_default_rules()
    return {r.kind: r for r in AlarmRule.objects.all()}


@pytest.fixture
def xichang(db):
    return County.objects.get(code="513401")


def approved(county, code: str, year: int, value) -> Figure:
    ind = Indicator.objects.get(code=code)
    figure, _ = Figure.objects.update_or_create(county=county, indicator=ind, year=year,
                                                defaults={"value": D(value), "status": "approved"})
    return figure


def active(**kw):
    return Alarm.objects.filter(status__in=["open", "acknowledged"], **kw)


# ── the rules as plain functions ──────────────────────────────────────────────────────────────────────────────

def test_off_track_has_a_band_between_raising_and_clearing():
    assert judging.off_track(P.OFF_TRACK, False) == judging.RAISE
    assert judging.off_track(P.LAGGING, False) == judging.KEEP  # the band: no flapping at the 80 % line
    assert judging.off_track(P.NO_DATA, False) == judging.KEEP
    assert judging.off_track(P.ON_TRACK, False) == judging.CLEAR
    assert judging.off_track(P.ACHIEVED, False) == judging.CLEAR
    assert judging.off_track(P.OFF_TRACK, True) == judging.KEEP  # overdue: the red rule's


def test_status_fall_compares_with_the_year_before():
    assert judging.status_fall(P.LAGGING, P.ON_TRACK) == judging.RAISE
    assert judging.status_fall(P.OFF_TRACK, P.LAGGING) == judging.RAISE
    assert judging.status_fall(P.LAGGING, P.LAGGING) == judging.CLEAR
    assert judging.status_fall(P.ON_TRACK, P.ACHIEVED) == judging.CLEAR  # still on pace: no alarm
    assert judging.status_fall(P.LAGGING, None) == judging.KEEP
    assert judging.status_fall(P.NO_DATA, P.ON_TRACK) == judging.KEEP


def test_overdue_and_submission_rules():
    assert judging.overdue(P.OFF_TRACK, True) == judging.RAISE
    assert judging.overdue(P.ACHIEVED, False) == judging.CLEAR
    assert judging.overdue(P.NO_DATA, False) == judging.KEEP
    d = date(2026, 3, 31)
    assert judging.submission_due(date(2026, 3, 17), d, 3, 14) == judging.RAISE
    assert judging.submission_due(date(2026, 3, 16), d, 3, 14) == judging.CLEAR  # 15 days ahead
    assert judging.submission_due(date(2026, 3, 31), d, 3, 14) == judging.RAISE  # the deadline day
    assert judging.submission_due(date(2026, 4, 1), d, 3, 14) == judging.CLEAR   # late: the other rule's
    assert judging.submission_due(date(2026, 3, 20), d, 0, 14) == judging.CLEAR  # all submitted
    assert judging.submission_late(date(2026, 4, 1), d, 1) == judging.RAISE
    assert judging.submission_late(date(2026, 3, 31), d, 1) == judging.CLEAR
    assert judging.submission_late(date(2026, 4, 1), None, 1) == judging.CLEAR
    assert judging.correction(80.0, 90.0, 0.3) is False
    assert judging.correction(80.0, 110.0, 0.3) is True
    assert judging.correction(0.0, 1.0, 0.3) is True


def test_defaults_are_loaded_once_and_never_overwrite_an_edit(rules):
    assert set(rules) == {r["kind"] for r in DEFAULT_RULES} == set(Kind.values)
    AlarmRule.objects.filter(kind=Kind.SUBMISSION_DUE).update(days=7)
    assert load_default_rules() == 0
    assert AlarmRule.objects.get(kind=Kind.SUBMISSION_DUE).days == 7


# ── the lifecycle through services.apply ──────────────────────────────────────────────────────────────────────

def f(county, verdict, kind=Kind.OFF_TRACK, indicator=None):
    ind = indicator or Indicator.objects.get(code="PRE-01")
    return Finding(kind, county.pk, ind.pk, "", verdict, "msg")


def test_one_alarm_per_cause_and_no_flapping(rules, xichang):
    apply([f(xichang, judging.RAISE)])
    apply([f(xichang, judging.RAISE)])  # the same cause again: no duplicate
    assert active(county=xichang).count() == 1
    for verdict in [judging.KEEP, judging.RAISE, judging.KEEP, judging.RAISE]:  # hovering at the line
        apply([f(xichang, verdict)])
    assert Alarm.objects.filter(county=xichang).count() == 1
    assert active(county=xichang).get().status == Status.OPEN


def test_resolution_keeps_the_record_and_its_duration(rules, xichang):
    raised = timezone.now() - timedelta(hours=5)
    apply([f(xichang, judging.RAISE)], now=raised)
    apply([f(xichang, judging.CLEAR)])
    alarm = Alarm.objects.get(county=xichang)
    assert alarm.status == Status.RESOLVED and alarm.resolved_at is not None
    assert alarm.duration >= timedelta(hours=5)
    assert alarm.history.count() == 2  # raised, resolved
    apply([f(xichang, judging.RAISE)])  # the cause comes back later: a new alarm, the old one kept
    assert Alarm.objects.filter(county=xichang).count() == 2


def test_acknowledgement_is_for_officials_with_a_comment(rules, xichang, official, clerk_xichang, auditor):
    alarm = apply([f(xichang, judging.RAISE)]).raised[0]
    for user in (clerk_xichang, auditor):
        with pytest.raises(PermissionDenied):
            acknowledge(user, alarm, "看过了")
    with pytest.raises(ValidationError):
        acknowledge(official, alarm, "  ")
    done = acknowledge(official, alarm, "已电话督促县教育局")
    assert (done.status, done.comment, done.acknowledged_by) == (Status.ACKNOWLEDGED, "已电话督促县教育局", official)
    assert done.history.first().history_user == official
    apply([f(xichang, judging.RAISE)])  # still one alarm, still acknowledged
    assert active(county=xichang).get().status == Status.ACKNOWLEDGED
    apply([f(xichang, judging.CLEAR)])
    assert Alarm.objects.get(pk=alarm.pk).status == Status.RESOLVED


def test_silence_until_a_date_then_it_expires(rules, xichang, official, clerk_xichang):
    rule = rules[Kind.OFF_TRACK]
    with pytest.raises(PermissionDenied):
        silence(clerk_xichang, rule, xichang, timezone.localdate(), "豁免")
    with pytest.raises(ValidationError):
        silence(official, rule, xichang, timezone.localdate(), "")
    s = silence(official, rule, xichang, timezone.localdate() + timedelta(days=10), "州政府批准的豁免：撤并学校")
    assert s.history.get().history_user == official
    apply([f(xichang, judging.RAISE)])
    assert not Alarm.objects.exists()
    later = timezone.now() + timedelta(days=11)
    apply([f(xichang, judging.RAISE)], now=later)  # the silence has expired by itself
    assert active(county=xichang).count() == 1


def test_escalation_moves_up_a_colour_and_a_person(rules, xichang, users):
    """The county clerk, then the county's responsible leader (县级责任领导), then prefecture officials."""
    rule = rules[Kind.OFF_TRACK]  # yellow, the county's clerks, every 30 days
    clerk, leader, official = users["clerk_xichang"], users["leader_xichang"], users["official"]

    def told() -> set[str]:
        return set(Notification.objects.filter(alarm=alarm).values_list("user__username", flat=True))

    alarm = apply([f(xichang, judging.RAISE)], now=timezone.now() - timedelta(days=31)).raised[0]
    assert (alarm.severity, alarm.audience) == (Severity.YELLOW, Audience.CLERK)
    assert told() == {clerk.username}
    assert [a.pk for a in escalate()] == [alarm.pk]
    alarm.refresh_from_db()
    assert (alarm.severity, alarm.audience, alarm.escalations) == (Severity.RED, Audience.LEADER, 1)
    assert told() == {clerk.username, leader.username}  # 昭觉's leader is not told of 西昌's alarm
    assert escalate() == []  # idempotent within the interval
    escalate(now=timezone.now() + timedelta(days=rule.escalate_after_days + 1))
    alarm.refresh_from_db()
    assert (alarm.severity, alarm.audience) == (Severity.RED, Audience.OFFICIAL)
    assert told() == {clerk.username, leader.username, official.username}  # the prefecture is told


def test_who_is_told_at_each_step_for_a_county(xichang, users):
    from alarms.audience import told_for

    def names(level):
        return {u.username for u in told_for(level, xichang.pk)}

    assert names(Audience.CLERK) == {"clerk_xichang"}
    assert names(Audience.LEADER) == {"clerk_xichang", "leader_xichang"}
    assert names(Audience.OFFICIAL) == {"clerk_xichang", "leader_xichang", "official"}


def test_acknowledged_alarms_do_not_escalate(rules, xichang, official):
    alarm = apply([f(xichang, judging.RAISE)], now=timezone.now() - timedelta(days=40)).raised[0]
    acknowledge(official, alarm, "处理中")
    assert escalate() == []


def test_the_county_clerk_is_told(rules, xichang, clerk_xichang, clerk_zhaojue, official):
    apply([f(xichang, judging.RAISE)])
    assert Notification.objects.filter(user=clerk_xichang).count() == 1
    assert not Notification.objects.filter(user__in=[clerk_zhaojue, official]).exists()


# ── raised inside the recompute ───────────────────────────────────────────────────────────────────────────────

def test_the_incremental_recompute_raises_and_resolves(rules, xichang):
    approved(xichang, "PRE-01", 2021, 80)
    approved(xichang, "PRE-01", 2023, 86)   # on track in 2023
    approved(xichang, "PRE-01", 2024, 80)   # off track in 2024 (expected 89), and fallen from on track
    recompute_for_figure(Indicator.objects.get(code="PRE-01").pk, xichang.pk, 2024)
    kinds = set(active(county=xichang).values_list("kind", flat=True))
    assert kinds == {Kind.OFF_TRACK, Kind.STATUS_FALL}
    approved(xichang, "PRE-01", 2024, D("88.5"))  # lagging: inside the band, the off-track alarm stays
    recompute_for_figure(Indicator.objects.get(code="PRE-01").pk, xichang.pk, 2024)
    assert set(active(county=xichang).values_list("kind", flat=True)) == {Kind.OFF_TRACK, Kind.STATUS_FALL}
    approved(xichang, "PRE-01", 2024, 90)  # back on track: both resolve
    recompute_for_figure(Indicator.objects.get(code="PRE-01").pk, xichang.pk, 2024)
    assert not active(county=xichang).exists()
    assert Alarm.objects.filter(county=xichang, status=Status.RESOLVED).count() == 2


def test_an_approval_that_changes_no_alarm_costs_one_query(rules, xichang, django_assert_num_queries):
    """Item 6 (speed): inside each approval's recompute, alarms read the county's id, the judged year and its
    active alarms in one query — the rules and any write only when something is raised or resolved."""
    from assessment.engine import COLUMNS

    approved(xichang, "PRE-01", 2021, 80)
    approved(xichang, "PRE-01", 2024, 90)  # on track
    ind = Indicator.objects.get(code="PRE-01")
    recompute_for_figure(ind.pk, xichang.pk, 2024)
    rows = [tuple(r) for r in Progress.objects.filter(indicator=ind, area__in=[xichang.code, PREFECTURE])
            .values_list(*COLUMNS)]
    assert rows
    with django_assert_num_queries(1):
        assert evaluation.after_incremental(rows) == evaluation.Outcome([], [])
    approved(xichang, "PRE-01", 2024, 80)  # off track now: raised (the rules read, the alarm written)
    recompute_for_figure(ind.pk, xichang.pk, 2024)
    assert active(county=xichang, kind=Kind.OFF_TRACK).exists()


def test_the_full_recompute_raises_overdue_and_resolves_what_recovered(rules, xichang):
    zhaojue = County.objects.get(code="513431")
    approved(xichang, "PRE-01", 2021, 80)
    approved(xichang, "PRE-01", 2025, 85)   # deadline passed below 92: overdue (red)
    approved(zhaojue, "PRE-01", 2021, 80)
    approved(zhaojue, "PRE-01", 2025, 95)   # achieved
    recompute_all()
    overdue = active(county=xichang, kind=Kind.OVERDUE).get()
    assert overdue.severity == Severity.RED and overdue.audience == Audience.OFFICIAL
    assert not active(county=zhaojue).exists()
    approved(xichang, "PRE-01", 2025, 93)
    recompute_all()
    assert not active().exists()


def test_the_full_recompute_raises_a_fall_only_where_the_year_before_was_better(rules, xichang):
    zhaojue = County.objects.get(code="513431")
    for county, before in ((xichang, 86), (zhaojue, 80)):  # 西昌 on track in 2023, 昭觉 already off track
        approved(county, "PRE-01", 2021, 80)
        approved(county, "PRE-01", 2023, before)
        approved(county, "PRE-01", 2024, 80)  # off track in 2024 (the judged year)
    recompute_all()
    assert set(active(county=xichang).values_list("kind", flat=True)) == {Kind.OFF_TRACK, Kind.STATUS_FALL}
    assert set(active(county=zhaojue).values_list("kind", flat=True)) == {Kind.OFF_TRACK}


# ── the clock ─────────────────────────────────────────────────────────────────────────────────────────────────

def test_submission_due_then_late_then_resolved_on_submission(rules, xichang, clerk_xichang, django_capture_on_commit_callbacks):
    year = timezone.localdate().year - 1  # the open reporting year
    deadline = date(year + 1, 3, 31)
    ReportingYear.objects.update_or_create(year=year, defaults={"deadline": deadline})
    evaluation.submissions(today=deadline - timedelta(days=3))
    due = active(county=xichang, kind=Kind.SUBMISSION_DUE).get()
    assert due.severity == Severity.BLUE and due.period == str(year)
    evaluation.submissions(today=deadline + timedelta(days=1))
    assert Alarm.objects.get(pk=due.pk).status == Status.RESOLVED
    late = active(county=xichang, kind=Kind.SUBMISSION_LATE).get()
    assert late.severity == Severity.YELLOW
    assert active(kind=Kind.SUBMISSION_LATE).count() == 17
    evaluation.submissions(today=deadline + timedelta(days=2))  # running the clock again changes nothing
    assert Alarm.objects.filter(kind=Kind.SUBMISSION_LATE).count() == 17
    from counties.reporting import completeness

    missing = completeness(year, counties=[xichang]).county_total(xichang).unsubmitted
    county_ids = Indicator.objects.filter(pk__in=missing)
    with django_capture_on_commit_callbacks(execute=True):
        for ind in county_ids:
            Figure.objects.update_or_create(county=xichang, indicator=ind, year=year,
                                            defaults={"value": 1, "status": "submitted",
                                                      "submitted_at": timezone.now()})
    assert Alarm.objects.get(pk=late.pk).status == Status.RESOLVED
    assert active(kind=Kind.SUBMISSION_LATE).count() == 16


def test_a_registered_source_raises_without_alarms_importing_it(rules, xichang):
    from alarms import sources

    def notices(today):
        return [Finding(Kind.SUPERVISION_OVERDUE, xichang.pk, None, "notice-7", judging.RAISE, "回复逾期")]

    sources.register_source("test-supervision", (Kind.SUPERVISION_OVERDUE,), notices)
    try:
        evaluation.clock()
        assert active(kind=Kind.SUPERVISION_OVERDUE, county=xichang, period="notice-7").count() == 1
        sources.register_source("test-supervision", (Kind.SUPERVISION_OVERDUE,), lambda today: [])
        evaluation.clock()  # the notice was answered: the source no longer reports it
        assert not active(kind=Kind.SUPERVISION_OVERDUE).exists()
    finally:
        sources.SOURCES.pop("test-supervision", None)


def test_a_large_correction_after_approval_raises(rules, xichang):
    figure = approved(xichang, "PRE-01", 2024, 80)
    figure.approved_at = timezone.now() - timedelta(days=3)
    figure.save()
    figure.value, figure.approved_at = D(120), timezone.now()
    figure.save()
    evaluation.correction(figure.indicator_id, xichang.pk, 2024)
    assert active(kind=Kind.CORRECTION, county=xichang).count() == 1
