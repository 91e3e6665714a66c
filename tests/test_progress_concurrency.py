"""Recomputes running at once (two Celery workers) must not leave a stale prefecture row (PostgreSQL).

Another recompute "in flight" is played by a second connection that holds the lock a recompute would hold and
has written, but not yet committed, what that recompute would write.
"""
import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from assessment import engine, incremental
from assessment.models import Progress
from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from indicators.models import Indicator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_connection():
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("advisory locks are PostgreSQL's (DATABASE_URL=postgres://…)")
    other = connection.Database.connect(**connection.get_connection_params())
    other.autocommit = False
    yield other
    other.rollback()
    other.close()


def _in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def waits_for(other_connection, target, what: str) -> None:
    """Run ``target`` in a thread: it must still be waiting after a second, then finish once the other
    connection commits."""
    worker = _in_thread(target)
    worker.join(timeout=1.0)
    assert worker.is_alive(), what
    other_connection.commit()
    worker.join(timeout=60)
    assert not worker.is_alive()


def _approved(code, indicator, year, value):
    return Figure.objects.create(county=County.objects.get(code=code), indicator=indicator, year=year,
                                 value=value, status="approved")


def test_an_incremental_recompute_waits_for_another_on_the_same_indicator(other_connection):
    # TCH-06 (每名教师每学年培训不少于90学时), rolled up as "how many counties meet it".
    indicator = Indicator.objects.get(code="TCH-06")
    xichang = _approved("513401", indicator, 2024, D(96))
    zhaojue = _approved("513431", indicator, 2024, D(72))
    recompute_all()
    assert Progress.objects.get(area="prefecture", indicator=indicator, year=2024).value == D(1)

    # The other worker: 昭觉's figure approved at 96 h; its recompute holds the lock and has written 昭觉's row.
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0), pg_advisory_xact_lock(%s, %s)",
                       [engine.LOCK_EVERY, engine.LOCK_INDICATOR, indicator.id])
        cursor.execute("UPDATE counties_figure SET value = 96 WHERE id = %s", [zhaojue.id])
        cursor.execute("UPDATE assessment_progress SET status = 'achieved', value = 96 "
                       "WHERE area = '513431' AND indicator_id = %s AND year = 2024", [indicator.id])

    # Meanwhile 西昌's approval is recomputed: it must wait, then count 昭觉 as achieving.
    waits_for(other_connection, lambda: incremental.recompute_for(indicator.id, xichang.county_id),
              "the second recompute did not wait for the first")
    assert Progress.objects.get(area="prefecture", indicator=indicator, year=2024).value == D(2)


def test_an_incremental_recompute_waits_for_a_full_one(other_connection):
    indicator = Indicator.objects.get(code="TCH-06")
    xichang = _approved("513401", indicator, 2024, D(96))
    recompute_all()
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [engine.LOCK_EVERY])  # a full recompute's lock
    waits_for(other_connection, lambda: incremental.recompute_for(indicator.id, xichang.county_id),
              "the incremental recompute did not wait for the full one")
    assert Progress.objects.get(area="513401", indicator=indicator, year=2024).status == "achieved"


def test_a_full_recompute_waits_for_an_incremental_one_in_flight(other_connection):
    indicator = Indicator.objects.get(code="TCH-06")
    _approved("513401", indicator, 2024, D(96))
    with other_connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0), pg_advisory_xact_lock(%s, %s)",
                       [engine.LOCK_EVERY, engine.LOCK_INDICATOR, indicator.id])
    waits_for(other_connection, recompute_all, "the full recompute did not wait for the incremental one")
    assert Progress.objects.get(area="513401", indicator=indicator, year=2024).status == "achieved"
