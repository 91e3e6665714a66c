"""The checks of a figure (``counties.validation``) as plain functions: no database, no HTTP.

Written to kill mutants (issue 15): every bound is tested on both sides, every problem by its field, code and
the message a clerk reads. In particular these fail when the code accepts a zero denominator, fractional
numerators or denominators, a numerator one above its denominator, a gross rate up to 300 % instead of 200 %,
a change from last year of up to twice the configured share, or a low outlier.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from counties import validation as v
from counties.validation import (
    CheckedValues, IndicatorRule, Problem, check_values, modified_z, plausibility, to_decimal,
)
from liangshan_edu.formats import plain

RATE = IndicatorRule(code="PRE-01", kind="rate", unit="%")
GROSS = IndicatorRule(code="HS-01", kind="rate", unit="%", may_exceed_100=True)
COUNT = IndicatorRule(code="CMP-03", kind="count", unit="个")
AMOUNT = IndicatorRule(code="VOC-09", kind="amount", unit="元")
MILESTONE = IndicatorRule(code="PRE-05", kind="milestone", unit="yes/no")


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def codes(checked: CheckedValues) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in checked.problems]


def parse(raw, field="value"):
    problems: list[Problem] = []
    return to_decimal(raw, field, problems), problems


# ------------------------------------------------------------------------------------------- to_decimal --


@pytest.mark.parametrize("raw", [None, "", "   ", "\t"])
def test_empty_input_is_no_value_and_no_problem(raw):
    assert parse(raw) == (None, [])


@pytest.mark.parametrize("raw, expected", [
    ("1,234", D(1234)), ("1，234", D(1234)), ("1,234，567", D(1234567)), (" 12.5 ", D("12.5")), (7, D(7)),
    (D("3.25"), D("3.25")), ("0", D(0)), ("-4", D(-4)), ("1.0001", D("1.0001")), ("2.50000", D("2.5")),
    ("999999999999", D(999999999999)), ("-999999999999", D(-999999999999)),
])
def test_numbers_people_write_are_read(raw, expected):
    value, problems = parse(raw)
    assert problems == [] and value == expected


def test_text_is_not_a_number():
    value, problems = parse("abc", "numerator")
    assert value is None
    assert problems == [Problem("numerator", "“abc”不是数字。", "not_a_number")]
    assert str(problems[0]) == "“abc”不是数字。"


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-inf", "sNaN"])
def test_infinities_and_nan_are_not_valid_numbers(raw):
    value, problems = parse(raw, "denominator")
    assert value is None
    assert problems == [Problem("denominator", f"“{raw}”不是有效数字。", "not_a_number")]


@pytest.mark.parametrize("raw", ["1000000000000", "-1000000000000", "1e13"])
def test_a_number_that_does_not_fit_is_too_large(raw):
    value, problems = parse(raw)
    assert value is None
    assert problems == [Problem("value", f"“{raw}”过大，请核对。", "too_large")]


def test_more_than_four_decimal_places_are_refused_not_rounded():
    value, problems = parse("1.00001")
    assert value is None
    assert problems == [Problem("value", "“1.00001”的小数位数过多：最多4位小数。", "too_many_places")]


def test_a_problem_is_added_to_the_list_it_is_given():
    problems = [Problem("x", "earlier", "earlier")]
    assert to_decimal("x1", "value", problems) is None
    assert [p.code for p in problems] == ["earlier", "not_a_number"]


# --------------------------------------------------------------------------------------- rates: parts --


def test_a_rate_is_derived_from_its_parts():
    checked = check_values(RATE, numerator="880", denominator="1000")
    assert checked.ok and checked.problems == []
    assert (checked.value, checked.numerator, checked.denominator) == (D("88.0000"), D(880), D(1000))


def test_a_derived_rate_is_rounded_to_four_places():
    assert check_values(RATE, numerator=1, denominator=3).value == D("33.3333")
    assert check_values(RATE, numerator=2, denominator=3).value == D("66.6667")


def test_a_rate_typed_as_a_value_needs_its_parts():
    checked = check_values(RATE, value="88")
    assert not checked.ok
    assert checked.problems == [Problem("numerator", "比率指标请填写分子和分母，比率由系统计算。", "rate_needs_parts")]
    assert (checked.value, checked.numerator, checked.denominator) == (None, None, None)


def test_an_empty_rate_is_no_figure_and_no_problem():
    checked = check_values(RATE)
    assert checked.ok and (checked.value, checked.numerator, checked.denominator) == (None, None, None)


@pytest.mark.parametrize("num, den, field", [(None, "10", "numerator"), ("5", None, "denominator"),
                                             ("", "10", "numerator"), ("5", " ", "denominator")])
def test_a_rate_needs_both_parts(num, den, field):
    checked = check_values(RATE, numerator=num, denominator=den)
    assert checked.problems == [Problem(field, "分子和分母须同时填写。", "rate_needs_both")]
    assert checked.value is None
    assert (checked.numerator, checked.denominator) == (to_decimal(num, "n", []), to_decimal(den, "d", []))


def test_unreadable_parts_stop_all_further_checks():
    checked = check_values(RATE, numerator="x", denominator="0", value="y")
    assert codes(checked) == [("numerator", "not_a_number"), ("value", "not_a_number")]
    assert (checked.value, checked.numerator, checked.denominator) == (None, None, None)


def test_a_zero_denominator_is_refused():
    checked = check_values(RATE, numerator=0, denominator=0)
    assert checked.problems == [Problem("denominator", "分母必须大于0。", "denominator_not_positive")]
    assert (checked.value, checked.numerator, checked.denominator) == (None, D(0), D(0))


def test_a_negative_denominator_is_refused():
    assert codes(check_values(RATE, numerator=1, denominator=-5)) == [("denominator", "denominator_not_positive")]


def test_a_denominator_of_one_and_a_numerator_of_zero_are_fine():
    assert check_values(RATE, numerator=0, denominator=1).value == D(0)
    assert check_values(RATE, numerator=1, denominator=1).value == D(100)


def test_a_negative_numerator_is_refused():
    checked = check_values(RATE, numerator=-1, denominator=10)
    assert checked.problems == [Problem("numerator", "分子不能为负数。", "negative")]
    assert (checked.value, checked.numerator, checked.denominator) == (None, D(-1), D(10))


@pytest.mark.parametrize("num, den, fields", [
    ("10.5", "20", ["numerator"]), ("10", "20.5", ["denominator"]), ("0.5", "1.5", ["numerator", "denominator"]),
])
def test_fractional_numerators_and_denominators_are_refused(num, den, fields):
    checked = check_values(RATE, numerator=num, denominator=den)
    assert checked.problems == [Problem(f, "分子、分母是人数或个数，须为整数。", "not_integer") for f in fields]
    assert checked.value is None and checked.numerator == D(num) and checked.denominator == D(den)


def test_whole_parts_written_with_decimals_are_integers():
    assert check_values(RATE, numerator="10.0", denominator="20.00").value == D(50)


def test_every_problem_of_the_parts_is_reported_together():
    checked = check_values(RATE, numerator="-1.5", denominator="0")
    assert codes(checked) == [("numerator", "negative"), ("denominator", "denominator_not_positive"),
                              ("numerator", "not_integer")]


# ---------------------------------------------------------------------------------- rates: the ceiling --


def test_a_numerator_equal_to_the_denominator_is_100_percent():
    checked = check_values(RATE, numerator=1000, denominator=1000)
    assert checked.ok and checked.value == D(100)


def test_a_numerator_above_the_denominator_by_one_is_refused():
    checked = check_values(RATE, numerator=1001, denominator=1000)
    assert checked.problems == [Problem("numerator", "分子（1001）不能大于分母（1000）：该比率不能超过100%。",
                                        "numerator_gt_denominator")]
    # The derived value is still given back, with the parts, so a form can show what was typed.
    assert (checked.value, checked.numerator, checked.denominator) == (D("100.1000"), D(1001), D(1000))


def test_a_gross_rate_may_exceed_100_percent():
    checked = check_values(GROSS, numerator=1500, denominator=1000)
    assert checked.ok and checked.value == D(150)


def test_a_gross_rate_of_exactly_200_percent_is_accepted():
    checked = check_values(GROSS, numerator=2000, denominator=1000)
    assert checked.ok and checked.value == D(200)


@pytest.mark.parametrize("num, shown", [(2001, "200.1"), (2500, "250"), (2999, "299.9"), (3000, "300"),
                                        (3500, "350")])
def test_a_gross_rate_above_200_percent_is_refused(num, shown):
    checked = check_values(GROSS, numerator=num, denominator=1000)
    assert checked.problems == [Problem("numerator", f"比率{shown}%过高，请核对分子和分母。", "rate_too_high")]
    assert checked.value == D(num) / 10


def test_the_gross_ceiling_is_200():
    assert v.RATE_CEILING_GROSS == D(200)


# ------------------------------------------------------------------------------------- counts, amounts --


@pytest.mark.parametrize("rule", [COUNT, AMOUNT, MILESTONE])
@pytest.mark.parametrize("num, den", [("1", "2"), ("1", None), (None, "2"), ("0", "")])
def test_other_kinds_take_no_parts(rule, num, den):
    checked = check_values(rule, value="1", numerator=num, denominator=den)
    assert checked.problems[0] == Problem("numerator", "该指标不是比率，不填分子和分母。", "parts_not_allowed")


def test_parts_without_a_value_are_refused_and_give_no_figure():
    checked = check_values(COUNT, numerator="3")
    assert checked.problems == [Problem("numerator", "该指标不是比率，不填分子和分母。", "parts_not_allowed")]
    assert (checked.value, checked.numerator, checked.denominator) == (None, None, None)


def test_an_empty_count_is_no_figure():
    checked = check_values(COUNT, value="")
    assert checked.ok and checked.value is None


def test_a_count_is_a_whole_number():
    assert check_values(COUNT, value="12").value == D(12)
    assert check_values(COUNT, value="0").ok
    checked = check_values(COUNT, value="12.5")
    assert checked.problems == [Problem("value", "“个”是计数单位，须填写整数。", "not_integer")]
    assert (checked.value, checked.numerator, checked.denominator) == (D("12.5"), None, None)


def test_an_amount_may_have_decimals():
    checked = check_values(AMOUNT, value="1234.56")
    assert checked.ok and checked.value == D("1234.56")


@pytest.mark.parametrize("rule", [COUNT, AMOUNT])
def test_a_negative_count_or_amount_is_refused(rule):
    checked = check_values(rule, value="-1")
    assert checked.problems == [Problem("value", "数值不能为负数。", "negative")]


def test_a_negative_fractional_count_has_both_problems():
    assert codes(check_values(COUNT, value="-1.5")) == [("value", "negative"), ("value", "not_integer")]


# ---------------------------------------------------------------------------------------------- milestones --


@pytest.mark.parametrize("raw", ["2", "0.5", "-1"])
def test_a_milestone_is_done_or_not_done(raw):
    checked = check_values(MILESTONE, value=raw)
    assert checked.problems == [Problem("value", "节点任务只能填“已完成”（1）或“未完成”（0）。", "milestone_value")]


def test_a_milestone_not_done_needs_no_date():
    checked = check_values(MILESTONE, value="0")
    assert checked.ok and (checked.value, checked.numerator, checked.denominator) == (D(0), None, None)


def test_a_done_milestone_needs_its_date():
    checked = check_values(MILESTONE, value="1")
    assert checked.problems == [Problem("done_on", "已完成的节点任务须填写完成日期。", "milestone_needs_date")]
    assert checked.value == D(1)


def test_a_done_milestone_with_its_date():
    checked = check_values(MILESTONE, value="1", done_on=date(2023, 6, 1), year=2023)
    assert checked.ok and (checked.value, checked.numerator, checked.denominator) == (D(1), None, None)


def test_a_done_milestone_may_be_dated_today_but_not_tomorrow():
    today = timezone.localdate()
    assert check_values(MILESTONE, value="1", done_on=today).ok
    assert check_values(MILESTONE, value="1", done_on=today, year=today.year).ok
    checked = check_values(MILESTONE, value="1", done_on=today + timedelta(days=1))
    assert checked.problems == [Problem("done_on", "完成日期不能晚于今天。", "date_in_future")]


def test_a_completion_date_after_the_reporting_year_is_refused():
    checked = check_values(MILESTONE, value="1", done_on=date(2024, 1, 2), year=2023)
    assert checked.problems == [Problem("done_on", "完成日期（2024-01-02）晚于填报年度2023年。", "date_after_year")]
    assert check_values(MILESTONE, value="1", done_on=date(2023, 12, 31), year=2023).ok
    assert check_values(MILESTONE, value="1", done_on=date(2020, 1, 1), year=2023).ok


def test_a_completion_date_without_a_year_is_only_checked_against_today():
    assert check_values(MILESTONE, value="1", done_on=date(2024, 1, 2)).ok


def test_a_milestone_may_not_be_negative_nor_fractional_even_past_its_value_check():
    # The count/negative checks are for counts and amounts: a milestone has its own.
    assert codes(check_values(MILESTONE, value="-1")) == [("value", "milestone_value")]


# ------------------------------------------------------------------------------------------ plausibility --

SHARE, Z = 0.3, 3.5
OTHERS = [D(1), D(2), D(3), D(4), D(5)]  # median 3, MAD 1


def warn(value, last=None, others=(), share=SHARE, z=Z):
    return [(p.field, p.code) for p in plausibility(value, last, list(others), max_change_share=share,
                                                    outlier_z=z)]


def test_no_value_no_warning():
    assert plausibility(None, D(100), OTHERS, max_change_share=SHARE, outlier_z=Z) == []


def test_a_change_of_exactly_the_share_is_not_flagged():
    assert warn(D(130), D(100)) == [] and warn(D(70), D(100)) == []


@pytest.mark.parametrize("value", [D(131), D(140), D(159), D(160), D(161), D(200)])
def test_a_rise_above_the_share_is_flagged(value):
    """0.3 doubled is 0.6: changes between 31 % and 60 % (and above) must be flagged."""
    assert warn(value, D(100)) == [("value", "large_change")]


@pytest.mark.parametrize("value", [D(69), D(50), D(40), D(0)])
def test_a_drop_above_the_share_is_flagged(value):
    assert warn(value, D(100)) == [("value", "large_change")]


def test_the_large_change_message():
    (problem,) = plausibility(D(131), D(100), [], max_change_share=SHARE, outlier_z=Z)
    assert problem == Problem("value", "与上年已审核值100相比变化31%，超过30%，请核实并填写说明。", "large_change")


def test_the_large_change_message_rounds_to_whole_percents():
    (problem,) = plausibility(D("101.2"), D("40.00"), [], max_change_share=1.5, outlier_z=Z)  # 153 %
    assert problem.message == "与上年已审核值40相比变化153%，超过150%，请核实并填写说明。"
    (problem,) = plausibility(D(300), D(100), [], max_change_share=1.5, outlier_z=Z)
    assert problem.message == "与上年已审核值100相比变化200%，超过150%，请核实并填写说明。"


def test_the_change_is_relative_to_the_size_of_last_year():
    assert warn(D(-20), D(-10)) == [("value", "large_change")]
    assert warn(D(-12), D(-10)) == []


def test_no_change_warning_without_last_year_or_from_zero():
    assert warn(D(100), None) == []
    assert warn(D(100), D(0)) == []


def test_a_high_outlier_is_flagged():
    assert warn(D(9), others=OTHERS) == [("value", "outlier")]  # z = 0.6745 × 6 = 4.05


def test_a_low_outlier_is_flagged():
    assert warn(D(-3), others=OTHERS) == [("value", "outlier")]  # z = −4.05
    (problem,) = plausibility(D(-3), None, OTHERS, max_change_share=SHARE, outlier_z=Z)
    assert problem == Problem("value", "与其他县市差异很大（修正Z值-4.0），请核实并填写说明。", "outlier")


def test_the_outlier_message_shows_the_z_score():
    (problem,) = plausibility(D(9), None, OTHERS, max_change_share=SHARE, outlier_z=Z)
    assert problem.message == "与其他县市差异很大（修正Z值4.0），请核实并填写说明。"


def test_a_z_score_equal_to_the_threshold_is_not_flagged():
    limit = 0.6745 * (8 - 3) / 1
    assert warn(D(8), others=OTHERS, z=limit) == []
    assert warn(D(-2), others=OTHERS, z=limit) == []
    assert warn(D(8), others=OTHERS, z=limit - 0.01) == [("value", "outlier")]
    assert warn(D(-2), others=OTHERS, z=limit - 0.01) == [("value", "outlier")]


def test_values_near_the_others_are_not_outliers():
    assert warn(D(3), others=OTHERS) == [] and warn(D(6), others=OTHERS) == [] and warn(D(0), others=OTHERS) == []


def test_both_warnings_together_change_first():
    assert warn(D(9), D(3), OTHERS) == [("value", "large_change"), ("value", "outlier")]


def test_too_few_others_make_no_outlier():
    assert warn(D(1000), others=OTHERS[:4]) == []


# ------------------------------------------------------------------------------------------ modified_z --


def test_modified_z_by_hand():
    assert modified_z(D(9), OTHERS) == pytest.approx(0.6745 * 6)
    assert modified_z(D(-3), OTHERS) == pytest.approx(-0.6745 * 6)
    assert modified_z(D(3), OTHERS) == 0
    # even count: median of [1, 2, 3, 4, 5, 100] is 3.5; deviations 2.5 1.5 .5 .5 1.5 96.5 → MAD 1.5
    assert modified_z(D(5), OTHERS + [D(100)]) == pytest.approx(0.6745 * 1.5 / 1.5)
    assert modified_z(D(11), [D(10), D(10), D(12), D(14), D(20)]) == pytest.approx(0.6745 * (11 - 12) / 2)


def test_modified_z_needs_five_others():
    assert modified_z(D(9), OTHERS[:4]) is None
    assert modified_z(D(9), OTHERS) is not None
    assert modified_z(D(9), []) is None


def test_modified_z_cannot_judge_when_most_others_are_equal():
    assert modified_z(D(9), [D(5), D(5), D(5), D(1), D(9)]) is None


def test_modified_z_returns_a_float():
    assert isinstance(modified_z(D(9), OTHERS), float)


# --------------------------------------------------------------------------------------------- plain --


@pytest.mark.parametrize("raw, shown", [(D("90.0000"), "90"), (D("12.5000"), "12.5"), (D("1E+3"), "1000"),
                                        (D("0.0001"), "0.0001"), (D("-3.10"), "-3.1"), (7, "7"), ("92.50", "92.5")])
def test_plain_number(raw, shown):
    # the one formatter of numbers for people (liangshan_edu.formats), which validation's messages use
    assert plain(raw) == shown


def test_plain_of_nothing_is_what_the_caller_asks_for():
    assert plain(None) == "" and plain("") == "" and plain(None, none="—") == "—"


def test_the_rate_is_percent_to_four_places():
    assert v.rate_percent(D(1), D(3)) == D("33.3333") and v.rate_percent(D(2), D(3)) == D("66.6667")


# ------------------------------------------------------------------- survivors of the first mutmut run --


def test_an_unreadable_denominator_is_named():
    checked = check_values(RATE, numerator="1", denominator="x")
    assert checked.problems == [Problem("denominator", "“x”不是数字。", "not_a_number")]


def test_a_milestone_not_done_has_its_date_ignored():
    """The date belongs to a done milestone only (save_draft drops it): no date check for 0."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert check_values(MILESTONE, value="0", done_on=tomorrow).ok
    assert check_values(MILESTONE, value="0", done_on=date(2024, 1, 2), year=2023).ok
