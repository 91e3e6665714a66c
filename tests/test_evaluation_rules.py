"""The final-evaluation rule (``rules.judge``) on hand-made series: no database, no HTTP."""
from decimal import Decimal as D

from assessment.rules import judge

CYCLE = (2022, 2023, 2024, 2025)


def j(values, target, year, kind="rate", direction="at_least"):
    return judge(kind=kind, direction=direction, target=D(target), target_year=year,
                 values={y: D(v) for y, v in values.items()}, cycle=CYCLE)


def test_met_on_time_when_the_deadline_figure_meets_the_target():
    r = j({2021: 80, 2024: 91, 2025: 92}, 92, 2025)
    assert (r.result, r.value_at_deadline, r.met_year, r.latest_year) == ("met_on_time", D(92), 2025, 2025)


def test_met_late_when_only_a_later_year_meets_it():
    r = j({2022: 40, 2023: 50, 2024: 58, 2025: 61}, 60, 2023)
    assert (r.result, r.value_at_deadline, r.met_year) == ("met_late", D(50), 2025)


def test_met_late_when_the_deadline_figure_is_missing():
    r = j({2022: 40, 2024: 65}, 60, 2023)
    assert (r.result, r.value_at_deadline, r.met_year) == ("met_late", None, 2024)


def test_missed_with_a_figure_for_the_deadline_year_or_later():
    assert j({2025: D("91.9999")}, 92, 2025).result == "missed"
    r = j({2022: 10, 2024: 20}, 60, 2023)  # no 2023 figure, 2024 reported and short
    assert (r.result, r.value_at_deadline, r.met_year) == ("missed", None, None)


def test_no_data_without_a_figure_for_the_deadline_year_or_later_but_the_latest_value_is_told():
    r = j({2021: 80, 2024: 93}, 92, 2025)
    assert (r.result, r.value_at_deadline, r.latest_value, r.latest_year) == ("no_data", None, D(93), 2024)
    assert j({}, 92, 2025).result == "no_data"


def test_zero_and_at_most_directions():
    r = j({2022: 3, 2023: 1, 2024: 0}, 0, 2023, kind="count", direction="zero")
    assert (r.result, r.met_year) == ("met_late", 2024)
    assert j({2025: 12}, 15, 2025, kind="count", direction="at_most").result == "met_on_time"


def test_intermediate_targets_are_judged_each_on_its_own():
    # 56-pupil classes: none in new intake from 2022 (judged on its own), none at all by 2023.
    values = {2021: 9, 2022: 0, 2023: 2, 2024: 0}
    assert j(values, 0, 2022, kind="count", direction="zero").result == "met_on_time"
    r = j(values, 0, 2023, kind="count", direction="zero")
    assert (r.result, r.value_at_deadline, r.met_year) == ("met_late", D(2), 2024)


def test_a_milestone_done_before_the_deadline_is_met_on_time_since_the_year_it_was_done():
    r = j({2021: 0, 2022: 1, 2023: 1}, 1, 2025, kind="milestone", direction="done")
    assert (r.result, r.value_at_deadline, r.met_year) == ("met_on_time", D(1), 2022)
    assert j({2023: 1, 2025: 1}, 1, 2025, kind="milestone", direction="done").met_year == 2023
    # Not done by the deadline and nothing reported since: no data; reported not done: missed; done later: late.
    assert j({2023: 0}, 1, 2025, kind="milestone", direction="done").result == "no_data"
    assert j({2023: 0, 2025: 0}, 1, 2025, kind="milestone", direction="done").result == "missed"
    r = j({2025: 0, 2026: 1}, 1, 2025, kind="milestone", direction="done")
    assert (r.result, r.met_year) == ("met_late", 2026)


def test_standing_rules_count_the_years_met_out_of_the_years_reported_in_the_cycle():
    r = j({2021: 50, 2022: 95, 2023: 80, 2024: 92}, 90, None, kind="amount")
    assert (r.result, r.years_met, r.years_reported, r.met_year) == ("missed", 2, 3, None)  # 2021 is not in the cycle
    r = j({2022: 95, 2023: 90}, 90, None, kind="amount")
    assert (r.result, r.years_met, r.years_reported) == ("met_on_time", 2, 2)
    r = j({2021: 95}, 90, None, kind="amount")
    assert (r.result, r.years_met, r.years_reported, r.latest_year) == ("no_data", 0, 0, 2021)
