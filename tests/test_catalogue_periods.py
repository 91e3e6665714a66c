"""Periodic standing rules (issue 14 item 2): HS-23 每2年组织1次“教学成果奖”评选, judged per two-year period
from 2022 (2022–2023, 2024–2025): met in 2023, "not due" in 2024, not every other year off track."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment import engine
from assessment.rules import Period, Rule, evaluate, judge

RULE = Rule(lagging_share=D("0.8"), base_year=2021)
EVERY_2 = Period(2, 2022)


def status(year, values):
    return evaluate(kind="count", direction="at_least", year=year, values=values, target=D(1), target_year=None,
                    rule=RULE, period=EVERY_2).status


def test_periods_from_2022_are_2022_2023_and_2024_2025():
    assert EVERY_2.bounds(2022) == EVERY_2.bounds(2023) == (2022, 2023)
    assert EVERY_2.bounds(2025) == (2024, 2025)
    assert EVERY_2.bounds(2021) == (2020, 2021)


def test_hs23_met_in_2023_and_not_due_in_2024():
    values = {2022: D(0), 2023: D(1), 2024: D(0)}
    assert status(2022, values) == "not_due"
    assert status(2023, values) == "achieved"
    assert status(2024, values) == "not_due"


def test_a_period_ending_unmet_is_off_track_and_overdue():
    o = evaluate(kind="count", direction="at_least", year=2025, values={2024: D(0), 2025: D(0)}, target=D(1),
                 target_year=None, rule=RULE, period=EVERY_2)
    assert (o.status, o.overdue, o.gap) == ("off_track", True, D(1))


def test_held_in_the_first_year_the_whole_period_is_met():
    values = {2022: D(1), 2023: D(0)}
    assert (status(2022, values), status(2023, values)) == ("achieved", "achieved")


def test_a_yearly_reading_of_the_same_figures_fails_every_other_year():
    # what the catalogue did before: 每年1次
    values = {2022: D(0), 2023: D(1), 2024: D(1), 2025: D(0)}
    yearly = [evaluate(kind="count", direction="at_least", year=y, values=values, target=D(1), target_year=None,
                       rule=RULE).status for y in (2022, 2025)]
    assert yearly == ["off_track", "off_track"]
    assert [status(y, values) for y in (2022, 2023, 2024, 2025)] == ["not_due", "achieved", "achieved", "achieved"]


def test_the_final_evaluation_counts_periods():
    j = judge(kind="count", direction="at_least", target=D(1), target_year=None,
              values={2022: D(0), 2023: D(1), 2024: D(1), 2025: D(0)}, cycle=(2022, 2023, 2024, 2025),
              period=EVERY_2)
    assert (j.result, j.years_met, j.years_reported) == ("met_on_time", 2, 2)
    missed = judge(kind="count", direction="at_least", target=D(1), target_year=None,
                   values={2022: D(1), 2024: D(0), 2025: D(0)}, cycle=(2022, 2023, 2024, 2025), period=EVERY_2)
    assert (missed.result, missed.years_met, missed.years_reported) == ("missed", 1, 2)
    # the running period, not met yet and its last year not reported: not judged yet
    running = judge(kind="count", direction="at_least", target=D(1), target_year=None,
                    values={2023: D(1), 2024: D(0)}, cycle=(2022, 2023, 2024, 2025), period=EVERY_2)
    assert (running.result, running.years_met, running.years_reported) == ("met_on_time", 1, 1)


def test_the_fast_path_gives_the_rules_rows_for_a_periodic_county_rule():
    from indicators.targets import TargetSpec

    ind = engine.IndicatorInfo(1, "count", "at_least", "county", "sum", list(range(2021, 2026)),
                               [TargetSpec(None, D(1), period=2, period_from=2022)])
    figures = [(2022, D(0), None, None), (2023, D(1), None, None), (2024, D(0), None, None)]
    plan = engine._Plan(ind)
    scaled = [(None, None, y, engine._scaled(v), None, None) for y, v, _, _ in figures]
    fast = [engine._as_row(raw, "now") for raw in engine._county_rows(
        plan, plan.years_for("513401", 1), "513401", scaled, RULE, RULE.lagging_share.as_integer_ratio())]
    assert fast == list(engine.county_rows(ind, "513401", 1, figures, RULE, "now"))
    assert [r[11] for r in fast] == ["no_data", "not_due", "achieved", "not_due", "no_data"]


@pytest.mark.django_db
def test_hs23_on_the_database_is_judged_per_period():
    from assessment.models import Evaluation, Progress
    from assessment.services import recompute_all
    from counties.models import Figure
    from indicators.models import Indicator

    hs23 = Indicator.objects.get(code="HS-23")
    target = hs23.targets.get()
    assert (target.year, target.period, target.period_from) == (None, 2, 2022)
    for year, value in [(2022, 0), (2023, 1), (2024, 0)]:
        Figure.objects.create(county=None, indicator=hs23, year=year, value=D(value), status="approved")
    recompute_all()
    statuses = dict(Progress.objects.filter(indicator=hs23, area="prefecture").values_list("year", "status"))
    assert {y: statuses[y] for y in (2022, 2023, 2024, 2025)} == {
        2022: "not_due", 2023: "achieved", 2024: "not_due", 2025: "no_data"}
    e = Evaluation.objects.get(indicator=hs23, area="prefecture")
    assert (e.result, e.years_met, e.years_reported) == ("met_on_time", 1, 1)
