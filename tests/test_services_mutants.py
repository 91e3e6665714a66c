"""The workflow services' smaller rules, pinned one by one (issue 15 item 6: tests that kill mutants).

``scripts/mutation.sh counties.services`` runs these; each test names the rule it guards. mutmut 3 does not mutate
decorated functions (``save_draft``, ``submit``, ``approve``… are ``@transaction.atomic``), so what is pinned here is
what they call: the dry-run check, staleness, the year locks, plausibility for many figures, bulk transitions.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from counties import services
from counties.choices import FigureStatus
from counties.errors import Invalid, Locked, NotAllowed, Stale, WrongState
from counties.models import CountyReopening, Figure, ReportingYear
from counties.signals import approved_figures_changed
from indicators.choices import Kind, Level, Rollup
from indicators.models import Indicator
from places.models import County

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE = "513401", "513431"


@pytest.fixture
def xichang():
    return County.objects.get(code=XICHANG)


@pytest.fixture
def zhaojue():
    return County.objects.get(code=ZHAOJUE)


def count_indicator() -> Indicator:
    return (Indicator.objects.filter(kind=Kind.COUNT, retired=False, level=Level.COUNTY)
            .select_related("unit").order_by("code").first())


def milestone() -> Indicator:
    return Indicator.objects.filter(kind=Kind.MILESTONE, level=Level.COUNTY).exclude(rollup=Rollup.NONE).first()


def figure(county, indicator, year, value, status=FigureStatus.APPROVED, **extra) -> Figure:
    return Figure.objects.create(county=county, indicator=indicator, year=year, value=Decimal(value), status=status,
                                 **extra)


# --- indicator_rule, check_year, recorded, _record -------------------------------------------------------------

def test_the_indicator_rule_carries_code_kind_unit_and_the_100_percent_exception():
    indicator = Indicator.objects.filter(kind=Kind.RATE, may_exceed_100=True).select_related("unit").first()
    rule = services.indicator_rule(indicator)
    assert (rule.code, rule.kind, rule.unit, rule.may_exceed_100) == (
        indicator.code, Kind.RATE, indicator.unit.code, True)


def test_years_from_2000_to_this_year_are_valid():
    this_year = timezone.localdate().year
    services.check_year(2000)
    services.check_year(this_year)
    for year in (1999, this_year + 1):
        with pytest.raises(Invalid) as refused:
            services.check_year(year)
        assert f"2000—{this_year}" in refused.value.message and str(year) in refused.value.message


def test_a_history_reason_is_recorded_in_chinese_whatever_the_language():
    with translation.override("en"):
        assert services.recorded("新建") == "新建"
        assert services.recorded("审核通过") == "审核通过"


def test_a_change_reason_is_cut_to_the_history_column(clerk_xichang, xichang):
    f = figure(xichang, count_indicator(), 2023, 5, status=FigureStatus.DRAFT)
    services._record(f, clerk_xichang, "理" * 150)
    f.save()
    entry = f.history.first()
    assert entry.history_change_reason == "理" * 100 and entry.history_user == clerk_xichang


# --- year_is_open and the locks ---------------------------------------------------------------------------------

def test_a_year_is_open_until_locked_and_then_only_where_reopened(official, xichang, zhaojue):
    assert services.year_is_open(2023, xichang)  # no reporting year at all
    ReportingYear.objects.create(year=2023, locked=False)
    assert services.year_is_open(2023, xichang)
    services.lock_year(official, 2023)
    assert not services.year_is_open(2023, xichang)
    assert not services.year_is_open(2023, None)  # the prefecture's own figures
    services.reopen_year_for_county(official, 2023, xichang, "  补报  ")
    assert services.year_is_open(2023, xichang) and not services.year_is_open(2023, zhaojue)
    assert not services.year_is_open(2023, None)


def test_lock_year_records_who_when_and_the_deadline(official):
    before = timezone.now()
    ry = services.lock_year(official, 2024, deadline=date(2025, 3, 31))
    ry.refresh_from_db()
    assert ry.locked and ry.locked_by == official and ry.locked_at >= before
    assert ry.deadline == date(2025, 3, 31)
    assert ry.history.first().history_user == official
    # Locking again without a deadline keeps the one set.
    services.lock_year(official, 2024)
    ry.refresh_from_db()
    assert ry.deadline == date(2025, 3, 31)


def test_unlock_year_clears_the_lock_and_records_who(official):
    services.lock_year(official, 2024)
    ry = services.unlock_year(official, 2024)
    ry.refresh_from_db()
    assert (ry.locked, ry.locked_at, ry.locked_by) == (False, None, None)
    assert ry.history.first().history_user == official
    # Unlocking a year nobody locked creates it unlocked.
    assert services.unlock_year(official, 2019).locked is False


@pytest.mark.parametrize("call", [
    lambda u, c: services.lock_year(u, 2024),
    lambda u, c: services.unlock_year(u, 2024),
    lambda u, c: services.reopen_year_for_county(u, 2024, c, "理由"),
    lambda u, c: services.close_year_for_county(u, 2024, c),
    lambda u, c: services.set_deadline(u, 2024, date(2025, 1, 1)),
])
@pytest.mark.parametrize("who", ["clerk_xichang", "auditor", "admin"])
def test_only_officials_lock_unlock_reopen_close_and_set_deadlines(users, xichang, official, call, who):
    services.lock_year(official, 2024)
    with pytest.raises(NotAllowed) as refused:
        call(users[who], xichang)
    assert refused.value.message.startswith("只有州级管理员可以") and refused.value.message.endswith("。")


def test_reopening_a_county_needs_a_reason_and_a_locked_year(official, xichang):
    services.lock_year(official, 2023)  # another year locked
    services.set_deadline(official, 2024, date(2025, 3, 31))  # this year known, not locked
    with pytest.raises(WrongState) as refused:
        services.reopen_year_for_county(official, 2024, xichang, "理由")
    assert refused.value.message == "2024年度未锁定，无需重新开放。"
    services.lock_year(official, 2024)
    for blank in ("", "   ", None):
        with pytest.raises(Invalid) as refused:
            services.reopen_year_for_county(official, 2024, xichang, blank)
        problem = refused.value.problems[0]
        assert refused.value.message == problem.message == "重新开放时必须填写原因。"
        assert (problem.field, problem.code) == ("reason", "required")
    reopening = services.reopen_year_for_county(official, 2024, xichang, "  补报学校数据  ")
    assert (reopening.reason, reopening.created_by, reopening.active) == ("补报学校数据", official, True)
    assert reopening.history.first().history_user == official


def test_closing_a_county_ends_only_its_active_reopenings(official, xichang, zhaojue):
    services.lock_year(official, 2024)
    services.reopen_year_for_county(official, 2024, xichang, "一")
    services.reopen_year_for_county(official, 2024, xichang, "二")
    services.reopen_year_for_county(official, 2024, zhaojue, "三")
    services.lock_year(official, 2023)
    services.reopen_year_for_county(official, 2023, xichang, "另一年")
    assert services.close_year_for_county(official, 2024, xichang) == 2
    assert services.year_is_open(2023, xichang)  # another year's reopening stays
    assert services.close_year_for_county(official, 2024, xichang) == 0
    assert not services.year_is_open(2024, xichang) and services.year_is_open(2024, zhaojue)
    closed = CountyReopening.objects.filter(county=xichang).first()
    assert closed.history.first().history_user == official


def test_set_deadline_records_the_date_and_who(official):
    ry = services.set_deadline(official, 2025, date(2026, 3, 31))
    ry.refresh_from_db()
    assert ry.deadline == date(2026, 3, 31) and ry.history.first().history_user == official


# --- staleness -------------------------------------------------------------------------------------------------

def test_the_staleness_rule_case_by_case(clerk_xichang, colleague_xichang, xichang):
    ind = count_indicator()
    result = services.save_draft(clerk_xichang, xichang, ind, 2023, value=5, expected_version=0)
    f = result.figure
    assert f.version == 1
    assert not services.is_stale(clerk_xichang, f, None)  # the caller does not check
    assert not services.is_stale(colleague_xichang, f, 1)  # the version seen is the current one
    assert services.is_stale(clerk_xichang, f, 2)  # a version it never had
    assert services.is_stale(colleague_xichang, f, 0)  # someone else made it after "I saw none"
    assert not services.is_stale(clerk_xichang, f, 0)  # ...but not for the one who made it
    unsaved = Figure(county=xichang, indicator=ind, year=2022, version=0)
    assert not services.is_stale(clerk_xichang, unsaved, 0)
    unsaved.version = 3
    assert services.is_stale(clerk_xichang, unsaved, 1)


# --- the dry-run check and the errors it raises ----------------------------------------------------------------

def test_refusals_of_prefecture_and_retired_indicators_name_the_indicator():
    prefecture = Indicator.objects.filter(level=Level.PREFECTURE, rollup=Rollup.NONE).first()
    refused = services.indicator_refusal(prefecture)
    assert (refused.code, refused.field) == ("prefecture_only", "code") and prefecture.code in refused.message
    ind = count_indicator()
    assert services.indicator_refusal(ind) is None
    ind.retired = True
    refused = services.indicator_refusal(ind)
    assert (refused.code, refused.field, refused.message) == ("retired", "code", f"指标{ind.code}已停用。")
    assert services.indicator_refusal(prefecture).message == f"指标{prefecture.code}由州级填报，县（市）不填。"


def test_check_draft_reports_the_first_problem_in_a_stated_order(clerk_xichang, colleague_xichang, official,
                                                                   xichang, zhaojue):
    ind = count_indicator()
    this_year = timezone.localdate().year

    def codes(user, county, year, f=None, **kw):
        kw.setdefault("expected_version", None)
        return [(p.field, p.code) for p in services.check_draft(user, county, ind, year, f, **kw)]

    assert codes(clerk_xichang, xichang, 2023) == []
    assert codes(clerk_xichang, zhaojue, 2023) == [("county", "not_allowed")]
    [refused] = services.check_draft(clerk_xichang, zhaojue, ind, 2023, None, expected_version=None)
    assert refused.message == "只能填报本县（市）的数据。"
    [refused] = services.check_draft(clerk_xichang, xichang, ind, this_year + 1, None, expected_version=None)
    assert refused.message == f"年度{this_year + 1}无效：只能填报2000—{this_year}年的数据。"
    assert codes(clerk_xichang, xichang, this_year + 1) == [("year", "invalid_year")]
    services.lock_year(official, 2023)
    assert codes(clerk_xichang, xichang, 2023) == [("year", "locked")]
    [refused] = services.check_draft(clerk_xichang, xichang, ind, 2023, None, expected_version=None)
    assert refused.message == "2023年度已锁定，如需修改请联系州级管理员重新开放。"
    # A caller that already knows the year is open (or not) saves the query per row.
    assert codes(clerk_xichang, xichang, 2023, year_open=True) == []
    assert codes(clerk_xichang, xichang, 2022, year_open=False) == [("year", "locked")]
    f = services.save_draft(colleague_xichang, xichang, ind, 2022, value=3, expected_version=0).figure
    assert codes(clerk_xichang, xichang, 2022, f, expected_version=0) == [("version", "stale")]
    [refused] = services.check_draft(clerk_xichang, xichang, ind, 2022, f, expected_version=0)
    assert refused.message == Stale(f).message and refused.message
    assert codes(clerk_xichang, xichang, 2022, f, expected_version=f.version) == []
    f.status = FigureStatus.SUBMITTED
    assert codes(clerk_xichang, xichang, 2022, f, expected_version=f.version) == [("status", "wrong_state")]
    [refused] = services.check_draft(clerk_xichang, xichang, ind, 2022, f, expected_version=f.version)
    assert refused.message == f"该数据状态为“{f.get_status_display()}”，不能修改；如需更正，请联系州级管理员退回。"
    prefecture = Indicator.objects.filter(level=Level.PREFECTURE, rollup=Rollup.NONE).first()
    assert [(p.field, p.code) for p in services.check_draft(clerk_xichang, xichang, prefecture, 2023, None,
                                                           expected_version=None)] == [("code", "prefecture_only")]
    f.status = FigureStatus.RETURNED
    assert codes(clerk_xichang, xichang, 2022, f, expected_version=f.version) == []


def test_each_problem_raises_its_own_error(clerk_xichang, colleague_xichang, official, xichang, zhaojue):
    ind = count_indicator()
    with pytest.raises(NotAllowed):
        services.save_draft(clerk_xichang, zhaojue, ind, 2023, value=1)
    with pytest.raises(Invalid) as refused:
        services.save_draft(clerk_xichang, xichang, ind, 1999, value=1)
    assert refused.value.problems[0].code == "invalid_year"
    assert refused.value.message == refused.value.problems[0].message and "1999" in refused.value.message
    f = services.save_draft(colleague_xichang, xichang, ind, 2022, value=3, expected_version=0).figure
    with pytest.raises(Stale) as stale:
        services.save_draft(clerk_xichang, xichang, ind, 2022, value=4, expected_version=0)
    assert stale.value.figure.pk == f.pk
    Figure.objects.filter(pk=f.pk).update(status=FigureStatus.SUBMITTED)
    with pytest.raises(WrongState):
        services.save_draft(clerk_xichang, xichang, ind, 2022, value=4)
    services.lock_year(official, 2021)
    with pytest.raises(Locked):
        services.save_draft(clerk_xichang, xichang, ind, 2021, value=4)


def test_a_transition_from_a_version_someone_else_changed_is_stale(clerk_xichang, colleague_xichang, xichang):
    ind = count_indicator()
    f = services.save_draft(clerk_xichang, xichang, ind, 2023, value=5, expected_version=0).figure
    seen = f.version
    services.save_draft(colleague_xichang, xichang, ind, 2023, value=6, expected_version=seen)
    with pytest.raises(Stale):
        services._transition_guard(clerk_xichang, Figure.objects.get(pk=f.pk), seen)
    services._transition_guard(colleague_xichang, Figure.objects.get(pk=f.pk), seen)  # their own change


# --- plausibility ---------------------------------------------------------------------------------------------

@pytest.fixture
def reported(xichang):
    """An indicator with 2024 figures in six counties, last year's approved values for 西昌, and figures that must
    not count: a draft far off, a draft last year, the prefecture's own figure, a submitted figure without a value."""
    ind = count_indicator()
    counties = list(County.objects.exclude(code=XICHANG).order_by("code")[:8])
    other = Indicator.objects.filter(kind=Kind.COUNT, level=Level.COUNTY).exclude(pk=ind.pk).first()
    for i, county in enumerate(counties[:6]):
        figure(county, ind, 2024, 100 + i, status=FigureStatus.SUBMITTED if i % 2 else FigureStatus.APPROVED)
        figure(county, other, 2024, 100000)  # another indicator's figures are no comparison
        figure(county, ind, 2022, 100000)  # nor are another year's
    figure(counties[0], ind, 2023, 10000, status=FigureStatus.DRAFT)  # last year, not approved: no comparison
    figure(counties[6], ind, 2024, 5000, status=FigureStatus.DRAFT)  # a draft is nobody's comparison
    figure(counties[7], ind, 2023, 10, status=FigureStatus.DRAFT)
    figure(xichang, other, 2023, 7)  # last year's approved value of another indicator: not this one's
    figure(xichang, ind, 2023, 100)  # last year's approved value
    Figure.objects.create(county=None, indicator=ind, year=2024, value=Decimal(600), status=FigureStatus.APPROVED)
    Figure.objects.create(county=counties[7], indicator=ind, year=2024, value=None, status=FigureStatus.SUBMITTED)
    figure(xichang, ind, 2022, 1)  # two years back: not last year
    return ind, counties


def test_warnings_for_many_agree_with_warnings_for_one_by_one(reported, xichang):
    ind, counties = reported
    mine = figure(xichang, ind, 2024, 900, status=FigureStatus.DRAFT)  # +800 % and far from the others
    plain = Figure.objects.get(county=counties[0], indicator=ind, year=2024)
    drafts_elsewhere = figure(counties[5], ind, 2025, 104, status=FigureStatus.DRAFT)  # nobody reported 2025
    figures = list(Figure.objects.filter(pk__in=[mine.pk, plain.pk, drafts_elsewhere.pk])
                   .select_related("indicator__unit"))
    many = services.warnings_for_many(figures)
    assert set(many) == {f.pk for f in figures}
    for f in figures:
        assert [(p.code, p.message) for p in many[f.pk]] == [(p.code, p.message) for p in services.warnings_for(f)]
    assert [p.code for p in many[mine.pk]] == ["large_change", "outlier"]
    assert "100" in many[mine.pk][0].message  # against last year's approved value, not 2022's
    assert many[plain.pk] == [] and many[drafts_elsewhere.pk] == []


def test_a_figure_is_not_compared_with_itself_or_with_drafts(reported, xichang):
    ind, counties = reported
    # 昭觉's draft of 5000 would make 西昌's 110 no outlier if drafts counted; 西昌's own 110 is not among "others".
    mine = figure(xichang, ind, 2024, 104, status=FigureStatus.SUBMITTED)
    assert services.warnings_for_many([mine]) == {mine.pk: []}
    assert services.warnings_for(mine) == []


def test_no_plausibility_for_milestones_missing_values_or_the_prefecture(reported, xichang):
    ind, counties = reported
    done = figure(xichang, milestone(), 2024, 1)
    empty = Figure.objects.create(county=counties[0], indicator=ind, year=2025, value=None)
    prefecture = Figure.objects.get(county=None, indicator=ind, year=2024)
    assert services.warnings_for_many([done, empty, prefecture]) == {}
    assert services.warnings_for_many([]) == {}
    for f in (done, empty, prefecture):
        assert services.warnings_for(f) == []


def test_the_change_threshold_and_outlier_limit_come_from_the_settings(reported, xichang, settings):
    ind, _ = reported
    mine = figure(xichang, ind, 2024, 125, status=FigureStatus.DRAFT)  # +25 % against 100
    assert [p.code for p in services.warnings_for(mine)] == ["outlier"]  # 25 % is under the 30 % of the settings
    settings.PLAUSIBILITY_MAX_CHANGE_SHARE = 0.2
    assert "large_change" in [p.code for p in services.warnings_for_many([mine])[mine.pk]]
    settings.PLAUSIBILITY_MAX_CHANGE_SHARE = 10
    settings.PLAUSIBILITY_OUTLIER_Z = 1000
    assert services.warnings_for_many([mine])[mine.pk] == []


# --- approvals announce themselves; bulk transitions ----------------------------------------------------------

def test_an_approval_is_announced_after_commit_unless_quiet(clerk_xichang, official, xichang,
                                                            django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, **kw):
        assert sender is Figure
        heard.append((kw["indicator_id"], kw["county_id"], kw["year"]))

    approved_figures_changed.connect(listener)
    try:
        ind = count_indicator()
        f = services.save_draft(clerk_xichang, xichang, ind, 2023, value=5).figure
        services.submit(clerk_xichang, f)
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(official, f)
        assert heard == [(ind.pk, xichang.pk, 2023)]
        with django_capture_on_commit_callbacks(execute=True), services.quiet_approvals():
            services.reopen(official, f, "更正")
        assert heard == [(ind.pk, xichang.pk, 2023)]
        with django_capture_on_commit_callbacks(execute=True):
            services.submit(clerk_xichang, f)
            services.approve(official, f)
        assert len(heard) == 2
    finally:
        approved_figures_changed.disconnect(listener)


def test_bulk_applies_each_transition_on_its_own_with_the_versions_seen(clerk_xichang, colleague_xichang,
                                                                        official, xichang):
    inds = list(Indicator.objects.filter(kind=Kind.COUNT, level=Level.COUNTY, retired=False).order_by("code")[:3])
    figures = []
    for ind in inds:
        f = services.save_draft(clerk_xichang, xichang, ind, 2023, value=5).figure
        figures.append(services.submit(clerk_xichang, f))
    seen = {f.pk: f.version for f in figures}
    services.return_figure(official, figures[1], "先退回")  # changed by someone after the page was loaded
    result = services.bulk(services.return_figure, official, figures, expected_versions=seen, reason="批量退回")
    assert [f.pk for f in result.done] == [figures[0].pk, figures[2].pk]
    assert [f.pk for f, _msg in result.refused] == [figures[1].pk]
    assert len(result.errors) == 1 and isinstance(result.errors[0], WrongState | Stale)
    assert result.refused[0][1] == result.errors[0].message
    assert Figure.objects.get(pk=figures[0].pk).return_reason == "批量退回"
    # Without versions (or for a figure the mapping does not name) nothing is judged stale.
    again = services.bulk(services.submit, clerk_xichang, figures, expected_versions={})
    assert len(again.done) == 3 and again.refused == []


def test_bulk_refuses_a_figure_changed_by_someone_else_as_stale(clerk_xichang, colleague_xichang, official,
                                                                xichang):
    ind = count_indicator()
    f = services.submit(clerk_xichang, services.save_draft(clerk_xichang, xichang, ind, 2023, value=5).figure)
    seen = {f.pk: f.version - 1}  # the page showed the version before the submission
    result = services.bulk(services.approve, official, [f], expected_versions=seen)
    assert result.done == [] and isinstance(result.errors[0], Stale)


def test_approved_value_reads_only_approved_figures(xichang, zhaojue):
    ind = count_indicator()
    other = Indicator.objects.filter(kind=Kind.COUNT, level=Level.COUNTY).exclude(pk=ind.pk).first()
    figure(xichang, other, 2023, 99)  # the same county and year, another indicator
    figure(xichang, ind, 2023, 7)
    figure(zhaojue, ind, 2023, 9, status=FigureStatus.SUBMITTED)
    assert services.approved_value(xichang, ind, 2023) == Decimal(7)
    assert services.approved_value(zhaojue, ind, 2023) is None
    assert services.approved_value(xichang, ind, 2024) is None


def test_locking_again_records_who_ended_each_reopening(official, xichang):
    services.lock_year(official, 2024)
    reopening = services.reopen_year_for_county(official, 2024, xichang, "补报")
    services.lock_year(official, 2024)
    reopening.refresh_from_db()
    assert reopening.active is False
    ended = reopening.history.first()
    assert ended.active is False and ended.history_user == official
