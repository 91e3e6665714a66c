"""``counties.reporting.county_counts`` (the database's GROUP BY county) says what ``completeness`` (a Python
fact per figure) says, county by county: both paths stay, so both are pinned here on hand-made data."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from counties.models import Figure, ReportingYear
from counties.reporting import completeness, county_counts
from indicators.models import Indicator
from places.models import County

YEAR = 2025
DEADLINE = date(YEAR + 1, 3, 31)
FIELDS = ("expected", "entered", "submitted", "approved", "returned", "on_time", "late")


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _figures() -> None:
    """Every state a figure can be in, across a few counties; one county (会理) has nothing."""
    inds = list(Indicator.objects.filter(retired=False).order_by("code"))
    counties = {c.code: c for c in County.objects.all()}
    last_second = _local(DEADLINE, time(23, 59, 59))          # on time: still the deadline day, local time
    first_second = _local(DEADLINE + timedelta(days=1), time(0, 0, 0))  # late by a second
    states = [("approved", 1, last_second), ("submitted", 1, first_second), ("submitted", 1, None),
              ("returned", 1, last_second), ("draft", 1, None), ("draft", None, None), ("approved", None, first_second),
              ("submitted", 2, _local(DEADLINE - timedelta(days=30), time(8)))]
    rows = []
    for n, code in enumerate(["513401", "513431", "513429"]):
        for k, ind in enumerate(inds):
            status, value, at = states[(k + n) % len(states)]
            rows.append(Figure(county=counties[code], indicator=ind, year=YEAR, value=value, status=status,
                               submitted_at=at, return_reason="x" if status == "returned" else ""))
    rows.append(Figure(county=counties["513430"], indicator=inds[0], year=YEAR - 1, value=1, status="approved",
                       submitted_at=last_second))  # another year: not counted
    Figure.objects.bulk_create(rows)
    # A retired indicator's figures are not counted.
    Indicator.objects.filter(pk=inds[1].pk).update(retired=True)


def _python_path(year: int) -> dict[int, tuple]:
    report = completeness(year)
    return {c.pk: tuple(getattr(report.county_total(c), f) for f in FIELDS) for c in report.counties}


def _sql_path(year: int) -> dict[int, tuple]:
    _deadline, counts = county_counts(year)
    return {pk: tuple(getattr(t, f) for f in FIELDS) for pk, t in counts.items()}


@pytest.mark.django_db
@pytest.mark.parametrize("deadline", [DEADLINE, None])
def test_the_database_counts_what_the_python_tally_counts(deadline):
    if deadline:
        ReportingYear.objects.create(year=YEAR, deadline=deadline)
    _figures()
    python, sql = _python_path(YEAR), _sql_path(YEAR)
    assert sql == python
    huili = County.objects.get(code="513402")
    assert sql[huili.pk][0] > 0 and sql[huili.pk][1:] == (0,) * 6  # a county with nothing: expected, no figure
    xichang = sql[County.objects.get(code="513401").pk]
    assert xichang[FIELDS.index("returned")] > 0
    if deadline:
        assert xichang[FIELDS.index("late")] > 0 and xichang[FIELDS.index("on_time")] > 0
    else:
        assert xichang[FIELDS.index("late")] == xichang[FIELDS.index("on_time")] == 0


@pytest.mark.django_db
def test_the_counts_of_a_year_without_figures_are_the_expected_sets_only():
    assert _sql_path(YEAR) == _python_path(YEAR)


@pytest.mark.django_db
def test_the_counts_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    ReportingYear.objects.create(year=YEAR, deadline=DEADLINE)
    _figures()
    with django_assert_max_num_queries(7):
        county_counts(YEAR)
