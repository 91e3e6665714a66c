"""Celery tasks: thin wrappers around the services (idempotent)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from redblack import supervision

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def escalate_notices() -> dict[str, int]:
    """Daily (beat): 催办 before the deadline, yellow then red after it; running it twice changes nothing more."""
    return supervision.escalate()
