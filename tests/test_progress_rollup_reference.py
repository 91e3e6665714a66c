"""The engine's roll-up query adds county figures up exactly as the plain rule does (``rules.Aggregate.add``).

``Aggregate.add`` is the rule written for people — what one county's figure contributes to the prefecture's
sum, ratio and done-count; the engine computes the same in SQL (``incremental.county_rollup``, and the full
recompute's equivalent). This test pins the SQL to the rule on figures chosen to sit on every edge: a value
just under 1 (not done), exactly 1 (done), a rate without its parts, a zero numerator, a figure not approved.
"""
from decimal import Decimal as D
import random

import pytest

from assessment.incremental import county_rollup
from assessment.rules import Aggregate
from counties.models import Figure
from indicators.models import Indicator
from places.models import County

pytestmark = pytest.mark.django_db


def _aggregates_by_rule(figures) -> dict[int, Aggregate]:
    out: dict[int, Aggregate] = {}
    for f in figures:
        if f.status == "approved" and f.county_id is not None:
            out.setdefault(f.year, Aggregate()).add(f.value, f.numerator, f.denominator)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_roll_up_is_the_rules_roll_up(seed):
    rng = random.Random(seed)
    indicator = Indicator.objects.filter(kind="rate").first()
    counties = list(County.objects.all())
    edge_values = [(D("0.9999"), None, None), (D(1), None, None), (D("92.5"), D(925), D(1000)),
                   (D(0), D(0), D(5)), (D("50"), D(1), D(2)), (None, None, None)]
    figures = []
    for year in (2023, 2024, 2025):
        for county in counties:
            value, num, den = rng.choice(edge_values)
            status = rng.choice(["approved", "approved", "approved", "submitted"])
            figures.append(Figure.objects.create(county=county, indicator=indicator, year=year, status=status,
                                                 value=value, numerator=num, denominator=den))
    expected = _aggregates_by_rule(figures)
    got = {row["year"]: Aggregate(row["total"], row["num"] or D(0), row["den"] or D(0), row["paired"], row["done"],
                                  row["reported"])
           for row in county_rollup(indicator.id)}
    assert got == expected
