"""The engine's fast county path gives exactly the rows of ``rules.evaluate`` (plain functions, no database).

``assessment.engine._county_rows`` applies the rule to a whole series in scaled-integer arithmetic for speed;
``assessment.engine.county_rows`` calls ``rules.evaluate`` year by year. Every row — status, overdue, value,
baseline, expected, projection, will_meet, gap — must be equal, on random series and on the exact ties where
Decimal's rounding and exact arithmetic could part.
"""
from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from assessment import engine
from assessment.rules import Rule
from indicators.targets import TargetSpec

RULE = Rule(lagging_share=D("0.8"), base_year=2021)
NOW = "now"


def _fast(ind, code, tier, figures):
    plan = engine._Plan(ind)
    entries = plan.years_for(code, tier)
    if entries is None:
        return []
    scaled = [(None, None, y, engine._scaled(v), engine._scaled(n), engine._scaled(d)) for y, v, n, d in figures]
    share = RULE.lagging_share.as_integer_ratio()
    return [engine._as_row(raw, NOW) for raw in engine._county_rows(plan, entries, code, scaled, RULE, share)]


def _reference(ind, code, tier, figures):
    return list(engine.county_rows(ind, code, tier, figures, RULE, NOW))


def _same(ind, code, tier, figures):
    fast, reference = _fast(ind, code, tier, figures), _reference(ind, code, tier, figures)
    assert len(fast) == len(reference)
    for f, r in zip(fast, reference):
        assert f == r, f"\nfast      {f}\nreference {r}\nfigures   {figures}\ntargets   {ind.targets}"
    return fast


def _ind(kind, direction, targets, years=range(2021, 2026), level="county"):
    return engine.IndicatorInfo(1, kind, direction, level, "sum", list(years), list(targets))


def _q(x: float) -> D:
    return D(str(round(x, 4)))


def test_a_rate_with_numerator_and_denominator():
    ind = _ind("rate", "at_least", [TargetSpec(2025, D(92))])
    figures = [(2021, D("80"), D(800), D(1000)), (2022, D("85"), D(850), D(1000)), (2024, D("88"), D(880), D(1000))]
    rows = _same(ind, "513401", 1, figures)
    assert [r[11] for r in rows] == ["on_track", "on_track", "no_data", "lagging", "no_data"]


def test_exact_ties_take_decimal_rounding():
    # Baseline 0, target 0.0003 by 2027 (six years): expected in 2022 is exactly 0.00005, a tie Decimal rounds
    # after its 28-digit share 1/6; and a linear series that lands exactly on its target.
    ind = _ind("amount", "at_least", [TargetSpec(2027, D("0.0003"))], years=range(2021, 2028))
    _same(ind, "513401", 1, [(2021, D(0), None, None), (2022, D(0), None, None)])
    ind = _ind("count", "at_least", [TargetSpec(2025, D(88))])
    _same(ind, "513401", 1, [(2021, D(80), None, None), (2023, D(84), None, None), (2024, D(86), None, None)])
    _same(ind, "513401", 1, [(2021, D(88), None, None), (2022, D(88), None, None), (2023, D(88), None, None)])


def test_a_yearly_milestone_is_judged_year_by_year():
    # 每年… done/not done with no deadline (ASM-…): not done in a year is off track; nothing is carried forward.
    ind = _ind("milestone", "done", [TargetSpec(None, D(1))])
    rows = _same(ind, "513401", 1, [(2022, D(1), None, None), (2023, D(0), None, None)])
    assert [(r[2], r[3], r[11]) for r in rows] == [
        (2021, None, "no_data"), (2022, D(1), "achieved"), (2023, D(0), "off_track"), (2024, None, "no_data"),
        (2025, None, "no_data")]
    # A dated milestone still carries "done" forward, and is on track while not done before its deadline.
    ind = _ind("milestone", "done", [TargetSpec(2025, D(1))])
    rows = _same(ind, "513401", 1, [(2022, D(0), None, None), (2023, D(1), None, None)])
    assert [r[11] for r in rows] == ["no_data", "on_track", "achieved", "achieved", "achieved"]


@pytest.mark.parametrize("seed", range(6))
def test_random_series_match_the_rule(seed):
    rng = random.Random(seed)
    kinds = [("rate", "at_least"), ("rate", "at_most"), ("count", "at_least"), ("count", "zero"),
             ("amount", "at_least"), ("amount", "at_most"), ("milestone", "done")]
    for _ in range(700):
        kind, direction = rng.choice(kinds)
        end = rng.choice([2025, 2025, 2027, 2030])
        years = range(2021, end + 1)
        if kind == "milestone":
            goal = D(1)
        elif direction == "zero":
            goal = D(0)
        else:
            goal = _q(rng.uniform(0.0001, 120)) if rng.random() < 0.8 else D(rng.randint(0, 50))
        shape = rng.random()
        if shape < 0.3:
            targets = [TargetSpec(None, goal)]
        elif shape < 0.45:
            targets = [TargetSpec(rng.randint(2021, end), (goal / 2).quantize(D("0.0001"))), TargetSpec(end, goal)]
        elif shape < 0.55:
            targets = [TargetSpec(end, goal, tier=t) for t in (1, 2, 3)]
        elif shape < 0.6:
            targets = [TargetSpec(end, goal, counties=frozenset({"513401"})), TargetSpec(end, goal + 1)]
        else:
            targets = [TargetSpec(rng.randint(2021, end + 2), goal)]
        ind = _ind(kind, direction, targets, years, level=rng.choice(["county", "county", "prefecture"]))
        figures = []
        pace = rng.uniform(-0.2, 1.4)
        start = float(goal) * rng.uniform(0.3, 1.6) if goal else rng.uniform(0, 30)
        integral = rng.random() < 0.4
        for year in years:
            if rng.random() < 0.2:
                continue
            if kind == "milestone":
                value = D(int(rng.random() < pace * (year - 2020) / 5))
                figures.append((year, value if rng.random() > 0.1 else None, None, None))
                continue
            x = max(start + (float(goal) - start) * pace * (year - 2021) / max(end - 2021, 1), 0)
            value = D(round(x)) if integral else _q(x)
            if kind == "rate" and rng.random() < 0.7:
                den = D(rng.randint(1, 5000))
                num = D(round(float(den) * x / 100))
                figures.append((year, value, num, den))
            else:
                figures.append((year, value, None, None))
        code, tier = rng.choice([("513401", 1), ("513431", 3), ("513422", 2)])
        _same(ind, code, tier, figures)
