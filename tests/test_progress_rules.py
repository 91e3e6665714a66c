"""The progress rule pinned on hand-worked cases (plain functions: no database, no HTTP)."""
from decimal import Decimal as D

from assessment.rules import Aggregate, Rule, evaluate, expected_value, rollup, trend
from indicators.targets import TargetSpec, target_for_year, targets_for

RULE = Rule(lagging_share=D("0.8"), base_year=2021)


def test_rate_rising_toward_92_on_track_then_lagging_then_off_track():
    # b = 80 in 2021, T = 92 in 2025: expected in 2023 is 80 + 12 × 2/4 = 86.
    assert expected_value(D(80), 2021, D(92), 2025, 2023) == D(86)
    on = evaluate(kind="rate", direction="at_least", year=2023, values={2021: D(80), 2023: D(86)},
                  target=D(92), target_year=2025, rule=RULE)
    assert (on.status, on.expected, on.overdue) == ("on_track", D("86.0000"), False)
    # 85 is 5 of the 6 points expected (83 %) → lagging; 84 is 4 of 6 (67 %) → off_track.
    lag = evaluate(kind="rate", direction="at_least", year=2023, values={2021: D(80), 2023: D(85)},
                   target=D(92), target_year=2025, rule=RULE)
    assert lag.status == "lagging"
    off = evaluate(kind="rate", direction="at_least", year=2023, values={2021: D(80), 2023: D(84)},
                   target=D(92), target_year=2025, rule=RULE)
    assert off.status == "off_track" and not off.overdue


def test_rate_meeting_92_is_achieved_with_no_gap():
    o = evaluate(kind="rate", direction="at_least", year=2024, values={2021: D(85), 2024: D("92.5")},
                 target=D(92), target_year=2025, rule=RULE)
    assert o.status == "achieved" and o.gap == 0


def test_gap_of_a_rate_is_in_people():
    # 880 of 1000 children enrolled, target 92 % → 40 more children.
    o = evaluate(kind="rate", direction="at_least", year=2024, values={2021: D(85), 2024: D(88)},
                 target=D(92), target_year=2025, rule=RULE, numerator=D(880), denominator=D(1000))
    assert o.gap == D(40)


def test_count_that_must_fall_to_zero_by_2023():
    # 10 big classes in 2021; zero by 2023 → expected 5 in 2022.
    values = {2021: D(10), 2022: D(5)}
    o = evaluate(kind="count", direction="zero", year=2022, values=values, target=D(0), target_year=2023, rule=RULE)
    assert (o.status, o.expected) == ("on_track", D(5))
    late = evaluate(kind="count", direction="zero", year=2023, values={**values, 2023: D(2)}, target=D(0),
                    target_year=2023, rule=RULE)
    assert (late.status, late.overdue, late.gap) == ("off_track", True, D(2))
    done = evaluate(kind="count", direction="zero", year=2023, values={**values, 2023: D(0)}, target=D(0),
                    target_year=2023, rule=RULE)
    assert done.status == "achieved" and not done.overdue


def test_milestone_passed_its_deadline_is_overdue():
    o = evaluate(kind="milestone", direction="done", year=2023, values={2022: D(0), 2023: D(0)}, target=D(1),
                 target_year=2022, rule=RULE)
    assert (o.status, o.overdue) == ("off_track", True)
    before = evaluate(kind="milestone", direction="done", year=2022, values={2022: D(0)}, target=D(1),
                      target_year=2023, rule=RULE)
    assert (before.status, before.overdue) == ("on_track", False)


def test_milestone_done_stays_done_in_later_years():
    o = evaluate(kind="milestone", direction="done", year=2024, values={2022: D(1)}, target=D(1),
                 target_year=2023, rule=RULE)
    assert o.status == "achieved" and o.value == 1


def test_tier_specific_target_is_chosen_per_county():
    specs = [TargetSpec(2025, D(85), tier=1), TargetSpec(2025, D(70), tier=2), TargetSpec(2025, D(60), tier=3)]
    assert [t.value for t in targets_for(specs, "513401", 1)] == [D(85)]
    assert [t.value for t in targets_for(specs, "513431", 3)] == [D(60)]
    assert targets_for(specs, None, None) == []  # no prefecture-wide target for a tiered indicator


def test_named_counties_and_general_targets():
    specs = [TargetSpec(2025, D(1), counties=frozenset({"513401", "513424"})), TargetSpec(2025, D(92))]
    assert targets_for(specs, "513424", 1)[0].counties  # the named target wins for 德昌
    assert targets_for(specs, "513431", 3) == [TargetSpec(2025, D(92))]


def test_intermediate_target_governs_until_its_deadline():
    specs = [TargetSpec(2022, D(0)), TargetSpec(2025, D(0))]
    assert target_for_year(specs, 2021).year == 2022
    assert target_for_year(specs, 2023).year == 2025
    assert target_for_year(specs, 2027).year == 2025
    assert target_for_year([TargetSpec(None, D(90))], 2024).year is None


def test_standing_yearly_rule_compares_with_the_target_each_year():
    o = evaluate(kind="amount", direction="at_least", year=2023, values={2023: D(75)}, target=D(90),
                 target_year=None, rule=RULE)
    assert (o.status, o.expected, o.overdue) == ("lagging", D(90), False)  # 75 of 90 = 83 %
    assert evaluate(kind="amount", direction="at_least", year=2023, values={2023: D(95)}, target=D(90),
                    target_year=None, rule=RULE).status == "achieved"


def test_prefecture_rollup_of_rates_is_a_ratio_of_sums_not_a_mean():
    agg = Aggregate()
    agg.add(D(90), D(900), D(1000))   # a large county at 90 %
    agg.add(D(50), D(50), D(100))     # a small one at 50 %
    value, num, den = rollup("ratio", agg)
    assert (num, den) == (D(950), D(1100))
    assert value == D("86.3636")      # the mean of rates would be 70


def test_rollup_of_counts_and_milestones():
    agg = Aggregate()
    for v in (D(3), D(0), D(2)):
        agg.add(v, None, None)
    assert rollup("sum", agg)[0] == D(5)
    assert rollup("count", agg)[0] == D(2)
    assert rollup("any", agg)[0] == D(1)
    assert rollup("all", agg, expected_count=3)[0] == D(0)
    assert rollup("sum", Aggregate())[0] is None


def test_one_year_of_data_has_no_projection():
    o = evaluate(kind="rate", direction="at_least", year=2021, values={2021: D(80)}, target=D(92), target_year=2025,
                 rule=RULE)
    assert o.projected is None and o.will_meet is None
    assert o.status == "on_track"  # the base year meets its own baseline


def test_projection_by_least_squares_tells_whether_the_target_will_be_met():
    values = {2021: D(80), 2022: D(82), 2023: D(84)}
    assert trend(values, 2025) == D(88)
    o = evaluate(kind="rate", direction="at_least", year=2023, values=values, target=D(92), target_year=2025,
                 rule=RULE)
    assert o.projected == D(88) and o.will_meet is False


def test_indicator_with_no_data():
    o = evaluate(kind="rate", direction="at_least", year=2024, values={}, target=D(92), target_year=2025, rule=RULE)
    assert (o.status, o.value, o.expected) == ("no_data", None, None)


def test_threshold_comes_from_the_rule():
    values = {2021: D(80), 2023: D(85)}
    strict = Rule(lagging_share=D("0.9"), base_year=2021)
    assert evaluate(kind="rate", direction="at_least", year=2023, values=values, target=D(92), target_year=2025,
                    rule=strict).status == "off_track"


def test_at_most_rate_falling_to_15_percent():
    # 送教上门 share: 30 % in 2021, ≤ 15 % by 2025 → expected 22.5 in 2023.
    o = evaluate(kind="rate", direction="at_most", year=2023, values={2021: D(30), 2023: D(23)}, target=D(15),
                 target_year=2025, rule=RULE)
    assert o.status == "lagging" and o.expected == D("22.5")
