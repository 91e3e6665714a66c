"""The red/black list rules on hand-made data, rounding, publication, immutability and corrections."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from counties.models import Figure, ReportingYear
from indicators.models import Indicator
from places.models import County
from redblack import lists, periods, rules
from redblack.models import Entry, ListRule, Publication
from tests.redblack_data import HUILI, XICHANG, YEAR, ZHAOJUE, default_rules, lagging_zhaojue, progress  # noqa: F401

pytestmark = pytest.mark.django_db


# periods and rounding: plain functions -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("2026-11", "2026-11"), ("2026-Q3", "2026-Q3"), (" 2026-01 ", "2026-01")])
def test_periods_parse(text, expected):
    assert periods.parse(text).text == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026q3", "26-11", "", None, "2026-11-01"])
def test_bad_periods_are_refused(text):
    with pytest.raises(periods.PeriodError):
        periods.parse(text)


def test_a_quarter_sorts_after_its_last_month():
    assert sorted(["2026-10", "2026-Q3", "2026-09", "2025-Q4"], key=periods.sort_key) == [
        "2025-Q4", "2026-09", "2026-Q3", "2026-10"]


def test_rounding_is_half_up_as_shown():
    assert rules.shown(D("90.05")) == D("90.1") and rules.shown(D("90.04")) == D("90.0")
    assert rules.share(1, 8) == D("13")  # 12.5 % is shown as 13 %
    assert rules.share(0, 0) is None


def test_round_first_then_judge_ties_are_treated_alike():
    # 66.4 % and 66.6 % would differ, but 2/3 and 66.5 % are both shown as 67 %: both are among the worst.
    measured = {"a": rules.share(2, 3), "b": rules.share(133, 200), "c": rules.share(70, 100), "d": rules.share(9, 10)}
    assert measured["a"] == measured["b"] == D("67")
    assert rules.worst(measured, 1, highest=False) == ["a", "b"]
    assert rules.worst(measured, 3, highest=False) == ["a", "b", "c"]
    assert rules.worst(measured, 1, highest=True) == ["d"]
    assert rules.worst({"x": D(1)}, 3, highest=True) == ["x"]


# the rules on hand-made data ------------------------------------------------------------------------------------

def test_lagging_items_name_the_county_indicator_and_rounded_figures(official):
    lagging_zhaojue()
    progress(HUILI, "CMP-09", YEAR, "lagging", 1, expected=0, target=0, overdue=True)
    progress(XICHANG, "PRE-01", YEAR, "lagging", 80, expected=85, target=92)  # merely lagging: not listed
    found = rules.lagging_items(rules.Context(official, YEAR), {})
    by_county = {c.county.code: c for c in found}
    assert set(by_county) == {ZHAOJUE, HUILI}
    assert by_county[ZHAOJUE].indicator.code == "CMP-01"
    reason = by_county[ZHAOJUE].reason
    assert "CMP-01" in reason and "2025年 90%" in reason and "预期 95%" in reason and "严重滞后" in reason
    assert "已逾期" in by_county[HUILI].reason and "目标 0个（2025年）" in by_county[HUILI].reason


def test_a_standing_yearly_rule_is_written_every_year(official):
    progress(HUILI, "CMP-13", YEAR, "off_track", 11, expected=0, target=0, target_year=None)
    found = rules.lagging_items(rules.Context(official, YEAR), {})
    assert "目标 0人（每年）" in found[0].reason


def test_newly_achieved_needs_a_measured_year_before(official):
    lagging_zhaojue()
    progress(HUILI, "CMP-01", YEAR, "achieved", 97, target=96)  # no 2024 row: nothing to compare with
    progress(ZHAOJUE, "PRE-01", YEAR - 1, "achieved", 93, target=92)
    progress(ZHAOJUE, "PRE-01", YEAR, "achieved", 94, target=92)  # already achieved the year before
    found = rules.newly_achieved(rules.Context(official, YEAR), {})
    assert [(c.county.code, c.indicator.code) for c in found] == [(XICHANG, "CMP-01")]
    assert "96.3%" in found[0].reason and "滞后" in found[0].reason  # 96.25 shown (and judged) as 96.3


def _figures(county: County, n: int, when) -> None:
    inds = list(Indicator.objects.filter(retired=False).order_by("code")[:n])
    Figure.objects.bulk_create([Figure(county=county, indicator=i, year=YEAR, value=1, status="approved",
                                       submitted_at=when) for i in inds])


def test_worst_timeliness_lists_the_bottom_three_with_ties(official):
    deadline = date(YEAR + 1, 3, 31)
    ReportingYear.objects.create(year=YEAR, deadline=deadline)
    on_time = timezone.make_aware(timezone.datetime(YEAR + 1, 3, 1))
    late = on_time + timedelta(days=60)
    slow = ["513429", "513430", "513436"]  # 布拖 金阳 美姑: everything late
    for county in County.objects.all():
        _figures(county, 10, late if county.code in slow else on_time)
    found = rules.worst_timeliness(rules.Context(official, YEAR), {"count": 3})
    assert sorted(c.county.code for c in found) == slow
    assert all(c.indicator is None and "及时率 0%" in c.reason for c in found)


def test_worst_timeliness_needs_a_deadline(official):
    assert rules.worst_timeliness(rules.Context(official, YEAR), {"count": 3}) == []


def test_worst_quality_counts_figures_returned_at_least_once(official):
    county = County.objects.get(code=ZHAOJUE)
    ind = Indicator.objects.get(code="CMP-01")
    f = Figure.objects.create(county=county, indicator=ind, year=YEAR, value=1, status="returned", return_reason="x")
    f.status = "approved"
    f.save()  # corrected since: it still counts as returned once
    found = rules.worst_quality(rules.Context(official, YEAR), {"count": 3})
    assert [c.county.code for c in found] == [ZHAOJUE]  # counties never returned are not listed
    assert "1 项曾被退回" in found[0].reason


# rules are data ---------------------------------------------------------------------------------------------------

def test_default_rules_ship_as_data():
    assert set(ListRule.objects.values_list("function", flat=True)) == {
        "newly_achieved", "lagging_items", "worst_timeliness", "worst_quality"}


def test_an_unregistered_function_is_refused_by_the_admin_check_and_skipped_by_the_preview(official):
    rule = ListRule(code="red-top", name="top three", list="red", function="top_by_score", params={"count": 3})
    with pytest.raises(ValidationError):
        rule.full_clean()
    rule.save()
    preview = lists.build(official, "2026-Q3", YEAR)
    assert any("top_by_score" in s for s in preview.skipped)


def test_a_registered_function_is_used(official):
    @rules.register("test_everyone_red", "everyone", "red")
    def everyone(ctx, params):
        return [rules.Candidate("red", c, None, "all good") for c in ctx.counties.values()][: params["count"]]

    try:
        ListRule.objects.create(code="red-test", name="t", list="red", function="test_everyone_red",
                                params={"count": 2}, order=1)
        assert len(lists.build(official, "2026-Q3", YEAR).red) == 2
    finally:
        rules.REGISTRY.pop("test_everyone_red")


def test_an_inactive_rule_does_nothing(official):
    lagging_zhaojue()
    ListRule.objects.filter(function="lagging_items").update(active=False)
    assert lists.build(official, "2026-Q3", YEAR).black == []


# publication ------------------------------------------------------------------------------------------------------

def test_only_officials_preview_or_publish(users):
    for name in ("clerk_xichang", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            lists.publish(users[name], "2026-Q3", YEAR)
    assert not Publication.objects.exists()


def test_publish_freezes_the_lists_and_a_later_change_shows_only_in_the_next_period(official):
    lagging_zhaojue()
    pub = lists.publish(official, "2026-Q3", YEAR)
    assert [(e.list, e.county.code, e.indicator.code) for e in pub.entries.all()] == [
        ("black", ZHAOJUE, "CMP-01"), ("red", XICHANG, "CMP-01")]
    from assessment.models import Progress
    Progress.objects.filter(area=ZHAOJUE).update(status="achieved")  # a later approval
    assert pub.entries.filter(list="black").count() == 1
    later = lists.publish(official, "2026-Q4", YEAR)
    assert not later.entries.filter(list="black").exists()


def test_the_same_period_twice_is_refused(official):
    first = lists.publish(official, "2026-11", YEAR)
    with pytest.raises(lists.AlreadyPublished) as e:
        lists.publish(official, "2026-11", YEAR - 1)
    assert e.value.publication == first and Publication.objects.count() == 1


def test_published_rows_never_change(official):
    lagging_zhaojue()
    pub = lists.publish(official, "2026-Q3", YEAR)
    entry = pub.entries.first()
    entry.reason = "changed"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        Entry.objects.filter(pk=entry.pk).update(reason="changed")
    with pytest.raises(ValidationError):
        pub.delete()
    with pytest.raises(ValidationError):
        Publication.objects.all().delete()
    assert Entry.objects.get(pk=entry.pk).reason != "changed"


def test_a_correction_is_a_new_version_and_the_original_stays(official):
    lagging_zhaojue()
    original = lists.publish(official, "2026-Q3", YEAR)
    black = original.entries.get(list="black")
    fixed = lists.correct(official, original, remove=[black.pk], reason="数据有误")
    assert (fixed.version, fixed.corrects, fixed.reason) == (2, original, "数据有误")
    assert not fixed.entries.filter(list="black").exists() and fixed.entries.filter(list="red").count() == 1
    assert original.entries.filter(list="black").count() == 1  # the original is kept as it was
    assert lists.current("2026-Q3") == fixed
    with pytest.raises(ValueError):
        lists.correct(official, original, remove=[], reason="again")  # only the current version is corrected
    with pytest.raises(ValueError):
        lists.correct(official, fixed, remove=[1], reason="  ")


def test_a_correction_reruns_the_period_rules_on_the_data_as_it_now_stands(official):
    # given: 2026-Q3 published with 昭觉 black on CMP-01 and 西昌 red on CMP-01
    lagging_zhaojue()
    original = lists.publish(official, "2026-Q3", YEAR)
    black = original.entries.get(list="black")
    # when: the data change (会理 now off track; 西昌's figure corrected) and 昭觉's entry is withdrawn
    from assessment.models import Progress
    progress(HUILI, "CMP-01", YEAR, "off_track", 88, expected=95, target=96)
    Progress.objects.filter(area=XICHANG, year=YEAR).update(value=D("97.04"))
    fixed = lists.correct(official, original, remove=[black.pk], reason="申诉成立")
    # then: the new version is the rules' answer now, without the withdrawn line; the original is unchanged
    assert sorted((e.list, e.county.code) for e in fixed.entries.all()) == [("black", HUILI), ("red", XICHANG)]
    assert [(e.list, e.county.code) for e in original.entries.order_by("list")] == [
        ("black", ZHAOJUE), ("red", XICHANG)]
    assert fixed.withdrawn == [["black", ZHAOJUE, "CMP-01", "black-lagging"]]
    changed = lists.changes_of(fixed)
    assert [e.county.code for e in changed.withdrawn] == [ZHAOJUE] and changed.removed == []
    assert [e.county.code for e in changed.added] == [HUILI]
    assert [(old.reason[:30] != new.reason[:30], "97%" in new.reason) for old, new in changed.changed] == [(True, True)]
    assert lists.changes_of(original) is None


def test_a_withdrawn_line_stays_withdrawn_in_later_corrections(official):
    lagging_zhaojue()
    v1 = lists.publish(official, "2026-Q3", YEAR)
    v2 = lists.correct(official, v1, remove=[v1.entries.get(list="black").pk], reason="申诉成立")
    from assessment.models import Progress
    Progress.objects.filter(area=XICHANG, year=YEAR).delete()  # 西昌's figure withdrawn since
    v3 = lists.correct(official, v2, remove=[], reason="西昌数据撤回")
    assert not v3.entries.exists()  # 昭觉 is not back, 西昌 is gone with its data
    changed = lists.changes_of(v3)
    assert [e.county.code for e in changed.removed] == [XICHANG] and changed.withdrawn == []
    with pytest.raises(ValueError, match="无需更正"):
        lists.correct(official, v3, remove=[], reason="nothing new")


def test_a_correction_uses_the_rules_the_period_was_published_with(official):
    lagging_zhaojue()
    v1 = lists.publish(official, "2026-Q3", YEAR)
    ListRule.objects.filter(function="newly_achieved").update(active=False)  # a later change of the rules
    progress(HUILI, "CMP-01", YEAR, "off_track", 88, expected=95, target=96)
    v2 = lists.correct(official, v1, remove=[], reason="会理数据补录")
    assert sorted((e.list, e.county.code) for e in v2.entries.all()) == [
        ("black", HUILI), ("black", ZHAOJUE), ("red", XICHANG)]


def test_changes_compare_lines_by_list_county_indicator_and_rule():
    from types import SimpleNamespace as N
    county, other = N(code="a"), N(code="b")
    ind = N(code="X")
    old = [N(list="black", county=county, indicator=ind, rule="r", reason="1", figures={}),
           N(list="black", county=other, indicator=None, rule="q", reason="2", figures={})]
    new = [N(list="black", county=county, indicator=ind, rule="r", reason="1", figures={"v": 1}),
           N(list="red", county=other, indicator=None, rule="q", reason="2", figures={})]
    got = lists.changes(old, new, withdrawn={("black", "b", None, "q")})
    assert [o.county.code for o, _n in got.changed] == ["a"] and got.withdrawn == [old[1]] and got.added == [new[1]]
    assert not lists.changes(old, old)


def test_movement_entered_left_and_periods_in_a_row(official):
    progress(ZHAOJUE, "CMP-01", YEAR, "off_track", 90, expected=95, target=96)
    lists.publish(official, "2026-07", YEAR)
    progress(HUILI, "CMP-01", YEAR, "off_track", 90, expected=95, target=96)
    lists.publish(official, "2026-08", YEAR)
    from assessment.models import Progress
    Progress.objects.filter(area=ZHAOJUE).delete()
    lists.publish(official, "2026-09", YEAR)
    lists.publish(official, "2026-Q3", YEAR)  # the quarterly series starts on its own
    moves = {m.publication.period: m for m in lists.movements(lists.current_versions())}
    assert [c.code for c in moves["2026-08"].entered] == [HUILI] and moves["2026-08"].streaks == {ZHAOJUE: 2, HUILI: 1}
    assert [c.code for c in moves["2026-09"].left] == [ZHAOJUE] and moves["2026-09"].streaks == {HUILI: 2}
    assert moves["2026-Q3"].streaks == {HUILI: 1} and [c.code for c in moves["2026-Q3"].entered] == [HUILI]


def test_the_build_runs_a_fixed_number_of_queries(official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ReportingYear.objects.create(year=YEAR, deadline=date(YEAR + 1, 3, 31))
    lagging_zhaojue()
    lists.build(official, "2026-Q3", YEAR)  # the user's role is read once and kept
    with CaptureQueriesContext(connection) as small:
        lists.build(official, "2026-Q3", YEAR)
    for county in County.objects.all():
        progress(county.code, "PRE-01", YEAR, "off_track", 50, expected=80, target=92)
        progress(county.code, "PRE-02", YEAR - 1, "lagging", 50, expected=80, target=88)
        progress(county.code, "PRE-02", YEAR, "achieved", 90, expected=88, target=88)
        _figures(county, 3, timezone.now())
    with CaptureQueriesContext(connection) as large:
        preview = lists.build(official, "2026-Q3", YEAR)
    assert len(preview.black) > 17 and len(preview.red) > 17
    assert len(large.captured_queries) == len(small.captured_queries)
