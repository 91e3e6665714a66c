"""Celery tasks: thin wrappers around the services (idempotent)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from redblack import jobs, supervision

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def escalate_notices() -> dict[str, int]:
    """Daily (beat): 催办 before the deadline, yellow then red after it; running it twice changes nothing more."""
    return supervision.escalate()


@shared_task
def run_list_job(job_id: str) -> str:
    """Publish or correct the lists (``redblack.jobs.run``); a job already taken or finished is left alone."""
    return jobs.run(job_id)
