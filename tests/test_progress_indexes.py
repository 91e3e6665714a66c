"""The incremental recompute's two roll-up queries must be answerable from an index alone on PostgreSQL.

At 3,000 counties they read ~15,000 figures and ~15,000 progress rows of one indicator; visiting the table for
each one (a heap fetch) is what made an approval's recompute miss its 50 ms aim (docs/benchmark.md). These tests
fail when a query starts reading a column the covering index does not hold (say ``Count("id")`` instead of
``Count("*")``) or when the index loses a column: the planner then cannot choose an index-only scan.
"""
import pytest
from django.db import connection

from assessment.incremental import counties_achieving, counties_reporting, county_rollup
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    """EXPLAIN with the table scans switched off: what is left shows whether an index alone can answer."""
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("covering indexes are PostgreSQL's (DATABASE_URL=postgres://…)")

    # A table with figures of many indicators, analysed, as in use: on an empty table the planner's costs for
    # two usable indexes tie and it may pick either (the year-leading one broke that tie once).
    from counties.models import Figure
    from places.models import County

    counties = list(County.objects.all())
    Figure.objects.bulk_create([Figure(county=c, indicator=ind, year=year, value=1, status="approved")
                                for ind in Indicator.objects.filter(level="county")[:40] for c in counties
                                for year in (2023, 2024)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE counties_figure")

    def explain(queryset) -> str:
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(line for (line,) in cursor.fetchall())

    return explain


@pytest.mark.parametrize("year", [None, 2024])
def test_county_rollup_reads_only_the_figure_rollup_index(planner, year):
    indicator = Indicator.objects.filter(kind="rate").first()
    plan = planner(county_rollup(indicator.id, year=year))
    assert "Index Only Scan using figure_rollup" in plan, plan


def test_counting_reporting_counties_reads_only_the_figure_rollup_index(planner):
    indicator = Indicator.objects.filter(rollup="all", level="county").first()
    plan = planner(counties_reporting(indicator.id))
    assert "Index Only Scan using figure_rollup" in plan, plan


def test_counting_achieving_counties_reads_only_the_progress_index(planner):
    indicator = Indicator.objects.filter(rollup="all", level="county").first()
    plan = planner(counties_achieving(indicator.id, ["prefecture", "513401"]))
    assert "Index Only Scan using progress_indicator_status" in plan, plan
