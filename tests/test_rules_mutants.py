"""``assessment.rules`` pinned at every bound, to kill mutants (issue 15): plain functions, no database.

In particular these fail when the ``all`` roll-up counts only the counties that reported instead of the
counties in scope (``expected_count``), or when a milestone's "done" is counted only above 1.
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment.rules import (
    Aggregate, Judgement, Outcome, Rule, evaluate, expected_value, gap_in_units, judge, meets, rollup, trend,
)

RULE = Rule(lagging_share=D("0.8"), base_year=2021)


def agg_of(*rows) -> Aggregate:
    agg = Aggregate()
    for row in rows:
        if isinstance(row, tuple):
            agg.add(*row)
        else:
            agg.add(row, None, None)
    return agg


# -------------------------------------------------------------------------------------- Aggregate.add --


def test_a_milestone_value_of_one_counts_as_done():
    agg = agg_of(D(1))
    assert (agg.done, agg.reported, agg.total) == (1, 1, D(1))


def test_not_done_and_done_counted_apart():
    agg = agg_of(D(0), D(1), D(1), D("0.9999"), D(2))
    assert (agg.done, agg.reported, agg.total) == (3, 5, D("4.9999"))


def test_a_missing_value_is_not_reported():
    agg = agg_of(None, (None, D(5), D(10)))
    assert agg == Aggregate()
    assert (agg.reported, agg.done, agg.total, agg.paired, agg.numerator, agg.denominator) == (0, 0, 0, 0, 0, 0)


def test_values_add_up():
    agg = agg_of(D(3), D(4), D(5))
    assert (agg.total, agg.reported) == (D(12), 3)


def test_parts_are_summed_only_when_both_are_there():
    agg = agg_of((D(90), D(900), D(1000)), (D(0), D(0), D(100)), (D(50), D(5), None), (D(60), None, D(10)),
                 (D(70), D(7), D(0)))
    assert (agg.numerator, agg.denominator, agg.paired, agg.reported) == (D(900), D(1100), 2, 5)
    assert agg.total == D(270)


def test_parts_accumulate():
    agg = agg_of((D(50), D(1), D(2)), (D(50), D(3), D(6)), (D(50), D(5), D(10)))
    assert (agg.numerator, agg.denominator, agg.paired) == (D(9), D(18), 3)


# ------------------------------------------------------------------------------------------------ rollup --


@pytest.mark.parametrize("rule", ["sum", "ratio", "all", "any", "count", "none", "mean"])
def test_nothing_reported_rolls_up_to_nothing(rule):
    assert rollup(rule, Aggregate()) == (None, None, None)
    assert rollup(rule, Aggregate(), expected_count=17) == (None, None, None)


def test_sum():
    assert rollup("sum", agg_of(D(3), D(0), D(2))) == (D(5), None, None)


def test_ratio_of_sums():
    assert rollup("ratio", agg_of((D(90), D(900), D(1000)), (D(50), D(50), D(100)))) == (
        D("86.3636"), D(950), D(1100))
    assert rollup("ratio", agg_of((D(50), D(1), D(3)))) == (D("33.3333"), D(1), D(3))


def test_ratio_without_parts_is_unknown():
    assert rollup("ratio", agg_of(D(90), D(80))) == (None, None, None)


def test_all_needs_every_county_in_scope_not_only_those_that_reported():
    agg = agg_of(D(1), D(1))
    assert rollup("all", agg, expected_count=17) == (D(0), None, None)
    assert rollup("all", agg, expected_count=3) == (D(0), None, None)
    assert rollup("all", agg, expected_count=2) == (D(1), None, None)
    assert rollup("all", agg, expected_count=1) == (D(1), None, None)


def test_all_without_a_scope_needs_every_reporting_county():
    assert rollup("all", agg_of(D(1), D(1))) == (D(1), None, None)
    assert rollup("all", agg_of(D(1), D(0))) == (D(0), None, None)


def test_all_over_no_county_in_scope_is_not_done():
    assert rollup("all", agg_of(D(1)), expected_count=0) == (D(0), None, None)


def test_all_with_values_of_one_counted_done():
    assert rollup("all", agg_of(D(1), D(1), D(1)), expected_count=3)[0] == D(1)


def test_any_and_count():
    assert rollup("any", agg_of(D(0), D(1))) == (D(1), None, None)
    assert rollup("any", agg_of(D(0), D(0))) == (D(0), None, None)
    assert rollup("count", agg_of(D(1), D(0), D(1), D(1))) == (D(3), None, None)
    assert rollup("count", agg_of(D(0))) == (D(0), None, None)


def test_an_unknown_rule_rolls_up_to_nothing():
    assert rollup("none", agg_of(D(1))) == (None, None, None)
    assert rollup("mean", agg_of(D(1))) == (None, None, None)


# ------------------------------------------------------------------------------------------------- meets --


def test_meets_in_each_direction_including_equality():
    assert meets(D(92), D(92), "at_least") and meets(D(93), D(92), "at_least")
    assert not meets(D("91.9999"), D(92), "at_least")
    assert meets(D(15), D(15), "at_most") and meets(D(14), D(15), "at_most")
    assert not meets(D("15.0001"), D(15), "at_most")
    assert meets(D(0), D(0), "zero") and not meets(D(1), D(0), "zero")
    assert meets(D(1), D(1), "done") and not meets(D(0), D(1), "done")


# ----------------------------------------------------------------------------------------- expected_value --


def test_expected_value_on_the_straight_line():
    assert expected_value(D(80), 2021, D(92), 2025, 2022) == D(83)
    assert expected_value(D(80), 2021, D(92), 2025, 2024) == D(89)
    assert expected_value(D(30), 2021, D(15), 2024, 2022) == D(25)


def test_expected_value_is_the_target_from_the_deadline_on():
    assert expected_value(D(80), 2021, D(92), 2025, 2025) == D(92)
    assert expected_value(D(80), 2021, D(92), 2025, 2027) == D(92)


def test_expected_value_is_the_target_when_the_deadline_is_not_after_the_base_year():
    assert expected_value(D(80), 2021, D(92), 2021, 2020) == D(92)
    assert expected_value(D(80), 2022, D(92), 2021, 2020) == D(92)


def test_expected_value_is_the_baseline_up_to_the_base_year():
    assert expected_value(D(80), 2021, D(92), 2025, 2021) == D(80)
    assert expected_value(D(80), 2021, D(92), 2025, 2019) == D(80)


# ------------------------------------------------------------------------------------------------- trend --


def test_trend_needs_two_years():
    assert trend({}, 2025) is None
    assert trend({2021: D(80)}, 2025) is None
    assert trend({2021: D(80), 2023: D(84)}, 2025) == D(88)


def test_trend_by_least_squares_on_uneven_years():
    # x: 2020 2021 2024, y: 1 3 4 → mean x 2021.6667, mean y 2.6667; slope = 5.6667 / 8.6667 = 0.6538
    value = trend({2020: D(1), 2021: D(3), 2024: D(4)}, 2026)
    assert value.quantize(D("0.0001")) == D("5.5000")
    assert trend({2020: D(1), 2021: D(3), 2024: D(4)}, 2020).quantize(D("0.0001")) == D("1.5769")


def test_trend_falls():
    assert trend({2021: D(30), 2022: D(27), 2023: D(24)}, 2025) == D(18)


# ----------------------------------------------------------------------------------------- gap_in_units --


def test_no_gap_once_met():
    assert gap_in_units("rate", "at_least", D(92), D(92), D(920), D(1000)) == 0
    assert gap_in_units("count", "at_most", D(15), D(15)) == 0


def test_gap_of_a_rate_in_people():
    assert gap_in_units("rate", "at_least", D(92), D(88), D(880), D(1000)) == D(40)
    assert gap_in_units("rate", "at_least", D("92.5"), D(30), D(100), D(333)) == D("208.0250")
    # at_most: 300 of 1000 and at most 15 % → 150 too many
    assert gap_in_units("rate", "at_most", D(15), D(30), D(300), D(1000)) == D(150)


def test_gap_in_points_without_parts_or_for_other_kinds():
    assert gap_in_units("rate", "at_least", D(92), D(88)) == D(4)
    assert gap_in_units("rate", "at_least", D(92), D(88), D(880), None) == D(4)
    assert gap_in_units("rate", "at_least", D(92), D(88), None, D(1000)) == D(4)
    assert gap_in_units("rate", "at_least", D(92), D(88), D(880), D(0)) == D(4)
    assert gap_in_units("count", "at_least", D(92), D(88), D(880), D(1000)) == D(4)
    assert gap_in_units("count", "at_most", D(0), D(3)) == D(3)
    assert gap_in_units("amount", "at_least", D(10), D("3.33333")) == D("6.6667")


# ---------------------------------------------------------------------------------------------- evaluate --


def ev(values, target=92, target_year=2025, year=2023, kind="rate", direction="at_least", rule=RULE, **kw):
    return evaluate(kind=kind, direction=direction, year=year, values={y: D(v) for y, v in values.items()},
                    target=None if target is None else D(target), target_year=target_year, rule=rule, **kw)


def test_no_data_keeps_what_is_known():
    o = ev({2021: 80, 2022: 82}, year=2023)
    assert o == Outcome(None, D(92), 2025, D(80), 2021, None, "no_data", False, None, None, None)
    o = ev({2021: 80, 2023: 85}, target=None, target_year=None)
    assert o == Outcome(D(85), None, None, D(80), 2021, None, "no_data", False, None, None, None)
    o = ev({}, year=2023)
    assert (o.status, o.baseline, o.baseline_year) == ("no_data", None, None)


def test_the_baseline_is_the_base_year_else_the_first_year():
    o = ev({2022: 80, 2023: 85, 2024: 90}, year=2024)
    assert (o.baseline, o.baseline_year) == (D(80), 2022)
    o = ev({2020: 70, 2021: 80, 2023: 85}, year=2023)
    assert (o.baseline, o.baseline_year) == (D(80), 2021)
    o = ev({2020: 70, 2023: 85}, year=2023, rule=Rule(base_year=2023))
    assert (o.baseline, o.baseline_year) == (D(85), 2023)


def test_a_full_outcome_on_track():
    o = ev({2021: 80, 2022: 84, 2023: 86}, year=2023, numerator=D(860), denominator=D(1000))
    assert o == Outcome(D(86), D(92), 2025, D(80), 2021, D(86), "on_track", False, D("92.3333"), True, D(60))


def test_the_projection_uses_only_years_up_to_the_one_evaluated():
    o = ev({2021: 80, 2022: 82, 2023: 84, 2024: 70}, year=2023)
    assert (o.projected, o.will_meet) == (D(88), False)
    o = ev({2021: 80, 2022: 84, 2023: 88}, year=2023)
    assert (o.projected, o.will_meet) == (D(96), True)


def test_projection_is_rounded_to_four_places():
    o = ev({2021: 80, 2022: 81, 2023: 83}, year=2023)  # slope 1.5, mean 81.3333 at 2022 → 2025: 85.8333
    assert o.projected == D("85.8333")


def test_no_projection_for_milestones_or_standing_rules():
    o = ev({2021: 0, 2022: 0, 2023: 0}, target=1, kind="milestone", direction="done")
    assert (o.projected, o.will_meet) == (None, None)
    o = ev({2021: 80, 2022: 85, 2023: 88}, target_year=None, kind="amount")
    assert (o.projected, o.will_meet) == (None, None)


def test_achieved_has_no_gap_and_is_not_overdue():
    o = ev({2021: 80, 2023: 92})
    assert (o.status, o.overdue, o.gap) == ("achieved", False, D(0))
    o = ev({2021: 80, 2026: 92}, year=2026)
    assert (o.status, o.overdue) == ("achieved", False)


def test_the_deadline_year_without_achievement_is_overdue():
    o = ev({2021: 80, 2025: 91}, year=2025)
    assert (o.status, o.overdue, o.expected) == ("off_track", True, D(92))
    o = ev({2021: 80, 2026: 91}, year=2026)
    assert (o.status, o.overdue) == ("off_track", True)
    o = ev({2021: 80, 2024: 91}, year=2024)
    assert (o.status, o.overdue) == ("on_track", False)


def test_on_track_exactly_at_the_expected_value():
    assert ev({2021: 80, 2023: 86}).status == "on_track"
    assert ev({2021: 80, 2023: "85.9999"}).status == "lagging"


def test_lagging_share_boundaries():
    # expected 86 (6 points to make): 80 % is 4.8 points → 84.8 lagging, 84.7999 off track.
    assert ev({2021: 80, 2023: "84.8"}).status == "lagging"
    assert ev({2021: 80, 2023: "84.7999"}).status == "off_track"
    assert ev({2021: 80, 2023: "84.8"}, rule=Rule(lagging_share=D("0.81"))).status == "off_track"


def test_going_backwards_is_off_track():
    o = ev({2021: 80, 2023: 79})
    assert (o.status, o.overdue) == ("off_track", False)


def test_at_most_lagging_and_off_track():
    # 30 in 2021, ≤ 15 by 2025: expected 22.5 in 2023; 7.5 points to drop, 80 % = 6 → 24 lagging.
    assert ev({2021: 30, 2023: 24}, target=15, direction="at_most").status == "lagging"
    assert ev({2021: 30, 2023: "24.0001"}, target=15, direction="at_most").status == "off_track"
    assert ev({2021: 30, 2023: "22.5"}, target=15, direction="at_most").status == "on_track"
    assert ev({2021: 10, 2023: 6}, target=0, direction="zero").status == "lagging"  # expected 5, 4 of 5 made
    assert ev({2021: 10, 2023: "6.0001"}, target=0, direction="zero").status == "off_track"


def test_a_standing_rule_expects_the_target_every_year():
    o = ev({2023: 75}, target=90, target_year=None, kind="amount")
    assert (o.status, o.expected, o.overdue) == ("lagging", D(90), False)  # 75 of 90 = 83 %
    o = ev({2021: 10, 2023: 72}, target=90, target_year=None, kind="amount")
    assert (o.status, o.expected) == ("lagging", D(90))  # from zero, not from the baseline
    assert ev({2023: "71.9999"}, target=90, target_year=None, kind="amount").status == "off_track"
    assert ev({2023: 95}, target=90, target_year=None, kind="amount").status == "achieved"


def test_a_milestone_not_yet_done_before_its_deadline_is_on_track():
    o = ev({2021: 0, 2023: 0}, target=1, kind="milestone", direction="done")
    assert (o.status, o.expected, o.overdue, o.gap) == ("on_track", D(0), False, D(1))


def test_a_milestone_not_done_by_its_deadline_is_overdue():
    o = ev({2021: 0, 2025: 0}, target=1, year=2025, kind="milestone", direction="done")
    assert (o.status, o.expected, o.overdue) == ("off_track", D(1), True)


def test_a_milestone_done_stays_done_from_the_latest_earlier_year():
    o = ev({2021: 0, 2022: 1}, target=1, year=2024, kind="milestone", direction="done")
    assert (o.value, o.status) == (D(1), "achieved")
    o = ev({2021: 1, 2022: 0}, target=1, year=2024, kind="milestone", direction="done")
    assert (o.value, o.status) == (D(0), "on_track")


def test_a_carried_milestone_drops_the_parts():
    o = ev({2021: 0, 2022: 0}, target=1, year=2024, kind="milestone", direction="done",
           numerator=D(1), denominator=D(3))
    assert o.gap == D(1)


def test_only_milestones_are_carried_forward():
    assert ev({2021: 80, 2022: 90}, year=2024).status == "no_data"
    assert ev({2023: 1}, target=1, year=2022, kind="milestone", direction="done").status == "no_data"


def test_expected_is_rounded_to_four_places():
    o = ev({2021: 80, 2022: 81}, target=90, target_year=2024, year=2022)  # 80 + 10/3
    assert o.expected == D("83.3333")


# -------------------------------------------------------------------------------------------------- judge --


def jd(values, target, year, kind="rate", direction="at_least", cycle=()):
    return judge(kind=kind, direction=direction, target=D(target), target_year=year,
                 values={y: (None if v is None else D(v)) for y, v in values.items()}, cycle=cycle)


def test_judgement_on_time_in_full():
    assert jd({2021: 80, 2025: 92, 2026: 95}, 92, 2025) == Judgement("met_on_time", D(92), 2025, D(95), 2026)


def test_judgement_late_takes_the_first_later_year():
    assert jd({2025: 80, 2026: 93, 2027: 94}, 92, 2025) == Judgement("met_late", D(80), 2026, D(94), 2027)


def test_judgement_missed_and_no_data_in_full():
    assert jd({2025: 80, 2026: 85}, 92, 2025) == Judgement("missed", D(80), None, D(85), 2026)
    assert jd({2026: 85}, 92, 2025) == Judgement("missed", None, None, D(85), 2026)
    assert jd({2024: 95}, 92, 2025) == Judgement("no_data", None, None, D(95), 2024)
    assert jd({}, 92, 2025) == Judgement("no_data", None, None, None, None)


def test_judgement_ignores_missing_values():
    assert jd({2024: 95, 2025: None}, 92, 2025) == Judgement("no_data", None, None, D(95), 2024)


def test_judgement_standing_rule_in_full():
    r = jd({2021: 50, 2022: 95, 2023: 90}, 90, None, kind="amount")
    assert r == Judgement("missed", None, None, D(90), 2023, 2, 3)
    r = jd({2021: 50, 2022: 95, 2023: 90}, 90, None, kind="amount", cycle=(2022, 2023))
    assert r == Judgement("met_on_time", None, None, D(90), 2023, 2, 2)
    r = jd({}, 90, None, kind="amount", cycle=(2022, 2023))
    assert r == Judgement("no_data", None, None, None, None, 0, 0)


def test_judgement_milestone_done_since_the_start_of_its_last_unbroken_run():
    r = jd({2021: 1, 2022: 0, 2023: 1, 2024: 1, 2026: 1}, 1, 2025, kind="milestone", direction="done")
    assert r == Judgement("met_on_time", D(1), 2023, D(1), 2026)
    r = jd({2021: 1, 2022: 1}, 1, 2022, kind="milestone", direction="done")
    assert r == Judgement("met_on_time", D(1), 2021, D(1), 2022)


def test_judgement_milestone_undone_by_the_deadline_then_done_late():
    r = jd({2022: 1, 2024: 0, 2026: 1}, 1, 2025, kind="milestone", direction="done")
    assert r == Judgement("met_late", None, 2026, D(1), 2026)


# ------------------------------------------------------------------- survivors of the first mutmut run --


def test_lagging_with_less_than_one_unit_of_progress_expected():
    # 80 in 2021, 82 by 2025: 80.5 expected in 2022 (0.5 to make); 0.45 made is 90 % → lagging.
    o = ev({2021: 80, 2022: "80.45"}, target=82, year=2022)
    assert (o.expected, o.status) == (D("80.5"), "lagging")
    assert ev({2021: 80, 2022: "80.39"}, target=82, year=2022).status == "off_track"


def test_will_meet_follows_the_direction():
    # 30, 27, 24 → 18 projected in 2025: short of "at most 15", though 18 ≥ 15.
    o = ev({2021: 30, 2022: 27, 2023: 24}, target=15, direction="at_most")
    assert (o.projected, o.will_meet) == (D(18), False)
    o = ev({2021: 30, 2022: 25, 2023: 20}, target=15, direction="at_most")
    assert (o.projected, o.will_meet) == (D(10), True)


def test_a_milestone_without_a_value_this_year_carries_the_last_real_one():
    o = evaluate(kind="milestone", direction="done", year=2024, values={2022: D(1), 2024: None}, target=D(1),
                 target_year=2025, rule=RULE)
    assert (o.value, o.status) == (D(1), "achieved")


def test_a_standing_at_most_rule_counts_the_years_below_the_ceiling():
    r = jd({2022: 50, 2023: 40}, 56, None, kind="count", direction="at_most")
    assert (r.result, r.years_met, r.years_reported) == ("met_on_time", 2, 2)
    r = jd({2022: 60, 2023: 40}, 56, None, kind="count", direction="at_most")
    assert (r.result, r.years_met, r.years_reported) == ("missed", 1, 2)


def test_met_late_follows_the_direction():
    assert jd({2025: 20, 2026: 10}, 15, 2025, kind="count", direction="at_most") == Judgement(
        "met_late", D(20), 2026, D(10), 2026)
    assert jd({2025: 20, 2026: 16}, 15, 2025, kind="count", direction="at_most").result == "missed"


def test_a_milestone_reported_undone_in_its_deadline_year_is_not_met_on_time():
    r = jd({2023: 1, 2025: 0}, 1, 2025, kind="milestone", direction="done")
    assert r == Judgement("missed", D(0), None, D(0), 2025)


def test_a_milestone_met_on_time_tells_its_value_by_the_deadline():
    r = jd({2022: 0, 2023: 1}, 1, 2025, kind="milestone", direction="done")
    assert r == Judgement("met_on_time", D(1), 2023, D(1), 2023)
