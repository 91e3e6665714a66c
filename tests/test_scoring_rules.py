"""The plan-8 rules as plain functions, on hand-worked data (no database): awards and bonus by rank, the 70/60
lines, ties, the bottom three, disqualification, school lists, deductions and commendation counts."""
from decimal import Decimal as D

import pytest
import yaml

from scoring import rules as R
from scoring.methods import evaluation_credit, progress_credit

with open("fixtures/catalogue/assessment.yaml", encoding="utf-8") as f:
    PLAN_RULES = yaml.safe_load(f)["rules"]
COUNTY = R.CountyRules.from_rules(PLAN_RULES)
SCHOOL = R.SchoolRules.from_rules(PLAN_RULES)


def seventeen(**overrides):
    """17 counties c01…c17 scoring 99, 98, … 83 unless overridden."""
    scores = {f"c{i:02d}": D(100 - i) for i in range(1, 18)}
    scores.update({k: D(str(v)) for k, v in overrides.items()})
    return scores


def test_ranks_1_to_3_4_to_7_8_to_12_get_their_award_and_bonus():
    ranks = R.rank(seventeen())
    given = R.awards(ranks, set(), COUNTY)
    assert [given[f"c{i:02d}"].label if given[f"c{i:02d}"] else None for i in range(1, 18)] == \
        ["一等奖"] * 3 + ["二等奖"] * 4 + ["三等奖"] * 5 + [None] * 5
    assert [given[c].bonus for c in ("c01", "c04", "c08")] == [D(5), D(4), D(3)]
    assert [given[c].department_quota_pct for c in ("c03", "c07", "c12")] == [15, 10, 5]


def test_below_70_is_criticised_below_60_also_summoned():
    assert R.accountability(D("69.9"), COUNTY) == ["criticism"]
    assert R.accountability(D("59.9"), COUNTY) == ["criticism", "interview"]
    assert R.accountability(D("70"), COUNTY) == [] and R.accountability(D("60"), COUNTY) == ["criticism"]


def test_ties_share_the_better_rank_and_its_award_the_next_rank_is_skipped():
    ranks = R.rank(seventeen(c04="97"))             # c03 and c04 both 97
    assert (ranks["c03"], ranks["c04"], ranks["c05"]) == (3, 3, 5)
    given = R.awards(ranks, set(), COUNTY)
    assert given["c04"].label == "一等奖" and given["c05"].label == "二等奖"
    assert R.rank({"a": D("80.004"), "b": D("80.001")}) == {"a": 1, "b": 1}  # compared at two decimals


def test_the_bottom_three_ties_included():
    assert R.bottom(R.rank(seventeen()), 3) == {"c15", "c16", "c17"}
    # c14 ties c15 at 85 (both 14th): four are named
    assert R.bottom(R.rank(seventeen(c14="85")), 3) == {"c14", "c15", "c16", "c17"}


def test_a_disqualified_county_loses_its_award_and_nobody_moves_up_by_default():
    ranks = R.rank(seventeen())
    given = R.awards(ranks, {"c02"}, COUNTY)
    assert given["c02"] is None
    assert given["c03"].label == "一等奖" and given["c04"].label == "二等奖"   # no one moves up
    assert sum(1 for a in given.values() if a and a.code == "first") == 2


def test_when_the_rules_say_so_the_next_county_moves_up_into_the_freed_award():
    moving = R.CountyRules.from_rules({**PLAN_RULES, "disqualified_award_moves_up": True})
    given = R.awards(R.rank(seventeen()), {"c02"}, moving)
    assert given["c02"] is None and given["c04"].label == "一等奖" and given["c13"].label == "三等奖"


def test_school_deductions_30_20_10_for_the_last_three_of_the_listed():
    scores = {f"p{i:02d}": D(100 - i) for i in range(1, 31)}   # 30 primary schools, p30 last
    out = {r.code: r for r in R.school_results("primary", scores, {}, set(), SCHOOL)}
    listed = [c for c, r in out.items() if r.bottom_listed]
    assert len(listed) == 20 and "p11" in listed and "p10" not in listed
    assert (out["p30"].deduction_pct, out["p29"].deduction_pct, out["p28"].deduction_pct) == (30, 20, 10)
    assert out["p27"].deduction_pct == 0 and out["p27"].bottom_listed
    senior = {r.code: r for r in R.school_results("senior", {"s1": D(90), "s2": D(50)}, {}, set(), SCHOOL)}
    assert senior["s2"].bottom_listed and senior["s2"].deduction_pct == 30 and not senior["s1"].bottom_listed


def test_commendation_counts_per_stage():
    assert R.commendation_counts("primary", 500, SCHOOL) == {"first": 10, "second": 20, "third": 30, "progress": 10}
    assert R.commendation_counts("junior", 100, SCHOOL) == {"first": 5, "second": 10, "third": 15, "progress": 5}
    assert R.commendation_counts("senior", 40, SCHOOL) == {"first": 3, "second": 4, "third": 5, "progress": 3}
    assert R.commendation_counts("vocational", 20, SCHOOL) == {"first": 3, "second": 4, "third": 5, "progress": 3}
    assert R.commendation_counts("senior", 5, SCHOOL) == {"first": 3, "second": 2, "third": 0, "progress": 3}


def test_kindergartens_get_the_primary_counts_scaled_to_their_number():
    # 250 kindergartens against 500 primary schools: half the primary counts.
    assert R.commendation_counts("kindergarten", 250, SCHOOL, n_primary=500) == \
        {"first": 5, "second": 10, "third": 15, "progress": 5}
    assert R.commendation_counts("kindergarten", 75, SCHOOL, n_primary=500) == \
        {"first": 2, "second": 3, "third": 5, "progress": 2}   # 1.5→2, 3, 4.5→5, 1.5→2


def test_awards_go_top_down_and_progress_awards_to_the_largest_rise_listed_schools_excluded():
    rules = R.SchoolRules({"junior": {"first": 1, "second": 1, "third": 1, "progress": 1}}, {"junior": 2}, (30, 20))
    scores = {"a": D(90), "b": D(80), "c": D(70), "d": D(60), "e": D(50), "f": D(40), "g": D(30)}
    previous = {"a": 1, "b": 2, "c": 3, "d": 7, "e": 6, "f": 4, "g": 5}
    out = {r.code: r for r in R.school_results("junior", scores, previous, {"b"}, rules)}
    assert (out["a"].commendation, out["b"].commendation, out["c"].commendation, out["d"].commendation) == \
        ("first", "", "second", "third")
    assert out["e"].commendation == "progress"            # 6 → 5; d rose more but already has an award
    assert out["f"].bottom_listed and out["g"].bottom_listed and out["g"].deduction_pct == 30
    assert out["f"].commendation == ""


@pytest.mark.parametrize("status,value,baseline,expected,credit", [
    ("achieved", 95, 80, 90, "1"), ("on_track", 91, 80, 90, "1"), ("no_data", None, 80, 90, "0"),
    ("lagging", 88, 80, 90, "0.8000"), ("off_track", 79, 80, 90, "0"),
    ("lagging", 12, 20, 10, "0.8000"),                   # an at_most indicator: 20 → 10 expected, 12 reached
])
def test_expected_path_credit(status, value, baseline, expected, credit):
    v = None if value is None else D(value)
    assert progress_credit("expected_path", status, v, D(baseline), D(expected)) == D(credit)


def test_share_methods_and_final_evaluation_credit():
    assert progress_credit("achieved_share", "on_track", None, None, None) == 0
    assert progress_credit("on_track_share", "on_track", None, None, None) == 1
    assert [evaluation_credit(r) for r in ("met_on_time", "met_late", "missed", "no_data")] == [1, D("0.5"), 0, 0]


def test_the_last_three_counties_education_workers_lose_30_20_10_percent():
    """三、结果运用（二）3.: 分别扣减 30%（最后一名）、20%（倒数第二名）、10%（倒数第三名）的目标绩效奖励金."""
    assert COUNTY.staff_deductions_pct == (30, 20, 10)
    assert R.staff_deductions(R.rank(seventeen()), COUNTY.staff_deductions_pct) == {"c17": 30, "c16": 20, "c15": 10}
    # Two tied at the last place are both 最后一名; the next one up is 倒数第三名.
    tied = R.staff_deductions(R.rank(seventeen(c16="83")), COUNTY.staff_deductions_pct)
    assert tied == {"c16": 30, "c17": 30, "c15": 10}
    assert R.staff_deductions(R.rank(seventeen()), ()) == {}
