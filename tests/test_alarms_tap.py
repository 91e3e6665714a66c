"""Alarms judged inside the full recompute (issue 9 item 6): the recompute shows each county's rows to the alarms'
tap (``assessment.signals.progress_recompute_starting``) and alarms then need not read the progress table back.
The tap must see what the table holds, and a broken tap must neither fail the recompute nor change the outcome."""
from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alarms import sources
from alarms.choices import ACTIVE, PROGRESS_KINDS
from alarms.defaults import load_default_rules
from alarms.models import Alarm
from assessment import engine
from assessment.services import recompute_all
from counties.models import Figure
from indicators.models import Indicator
from places.models import County

pytestmark = pytest.mark.django_db
CODES = ["PRE-01", "PRE-02", "CMP-01", "CMP-02", "HS-01", "TCH-01", "TCH-07"]


@pytest.fixture
def mixed(db):
    """Figures of every county on a few indicators and years, values drawn so that every status occurs."""
    load_default_rules()
    rng = random.Random(9)
    inds = list(Indicator.objects.filter(code__in=CODES))
    Figure.objects.bulk_create([
        Figure(county=county, indicator=ind, year=year, value=D(rng.choice([0, 20, 60, 80, 85, 90, 95, 100])),
               status="approved")
        for county in County.objects.all() for ind in inds for year in (2021, 2023, 2024, 2025)
        if rng.random() < 0.85])
    return inds


def _findings(year: int, seen) -> set:
    findings, _pairs, _active = sources.after_full_recompute(year, seen=seen)
    return {(f.kind, f.county_id, f.indicator_id, f.verdict) for f in findings}


def test_the_tap_sees_what_the_table_holds(mixed):
    year = sources.judged_year()
    seen = sources.Seen(year)
    engine.recompute_all(taps=[seen])
    assert seen.current and seen.previous
    assert _findings(year, seen) == _findings(year, None)  # the same as reading the rows back
    recompute_all()  # alarms raised: now judged with active alarms, most verdicts change nothing
    seen = sources.Seen(year)
    engine.recompute_all(taps=[seen])
    assert _findings(year, seen) == _findings(year, None)


def test_with_the_tap_alarms_do_not_read_the_progress_rows_back(mixed):
    recompute_all()
    year = sources.judged_year()
    seen = sources.Seen(year)
    engine.recompute_all(taps=[seen])
    with CaptureQueriesContext(connection) as ctx:
        sources.after_full_recompute(year, seen=seen)
    assert not [q for q in ctx.captured_queries if "assessment_progress" in q["sql"]]
    with CaptureQueriesContext(connection) as ctx:
        sources.after_full_recompute(year)
    assert [q for q in ctx.captured_queries if "assessment_progress" in q["sql"]]


def test_a_broken_tap_fails_nothing_and_changes_nothing(mixed, monkeypatch):
    def broken(self, raws):
        raise RuntimeError("boom")

    monkeypatch.setattr(sources.Seen, "_take", broken)
    rows = recompute_all()
    assert rows > 0
    broken_alarms = set(Alarm.objects.filter(status__in=ACTIVE, kind__in=PROGRESS_KINDS).values_list("cause", flat=True))
    monkeypatch.undo()
    Alarm.objects.all().delete()
    recompute_all()
    assert broken_alarms and set(Alarm.objects.filter(status__in=ACTIVE, kind__in=PROGRESS_KINDS)
                                 .values_list("cause", flat=True)) == broken_alarms


@pytest.mark.django_db(transaction=True)
def test_the_streaming_copy_path_shows_its_rows_to_the_tap_too():
    """Outside a transaction on PostgreSQL the rows stream into one COPY (not the path of the tests above, which
    run inside one): the tap must see them there as well."""
    load_default_rules()
    county = County.objects.get(code="513401")
    for code, values in (("PRE-01", {2021: 80, 2023: 86, 2024: 80}), ("CMP-01", {2021: 90, 2024: 20})):
        ind = Indicator.objects.get(code=code)
        for year, value in values.items():
            Figure.objects.create(county=county, indicator=ind, year=year, value=D(value), status="approved")
    year = sources.judged_year()
    seen = sources.Seen(year)
    assert not connection.in_atomic_block
    engine.recompute_all(taps=[seen])
    assert ("513401", Indicator.objects.get(code="PRE-01").pk) in seen.current
    assert _findings(year, seen) == _findings(year, None)


def test_a_tap_that_raises_is_dropped_and_the_recompute_goes_on(mixed):
    """The engine's own guard, for a tap that does not catch its errors the way alarms' does."""
    calls = []

    def bad(raws):
        calls.append(len(raws))
        raise RuntimeError("boom")

    year = sources.judged_year()
    seen = sources.Seen(year)
    taps = [bad, seen]
    assert engine.recompute_all(taps=taps) > 0
    assert len(calls) == 1 and taps == [seen] and seen.current  # called once, dropped; the others went on
