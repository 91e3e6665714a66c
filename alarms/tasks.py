"""Celery tasks: thin wrappers around ``alarms.evaluation`` and ``alarms.rhythm`` (idempotent)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def run_clock() -> dict:
    """Clock-driven alarms (submission due/late, registered sources) and escalation (beat, hourly)."""
    from alarms import evaluation

    return evaluation.clock()


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def run_rhythm(kind: str, day: str | None = None) -> int:
    """日动态 / 周调度 / 月通报 / 季挂榜 for the period containing ``day`` (ISO date; today by default):
    idempotent per period."""
    from datetime import date

    from alarms import rhythm

    return rhythm.run(kind, date.fromisoformat(day) if day else None)
