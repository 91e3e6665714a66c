"""Celery tasks: thin wrappers around ``assessment.services`` (they take IDs and are idempotent)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assessment import services

# Worth another try: a lost connection, a deadlock or lock timeout (OperationalError), a broker hiccup. Not a
# programming or data error, which would fail the same way five more times.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

# The recomputes below are acknowledged only once they have run (acks_late) and put back on the queue when their
# worker process dies, killed or out of memory (reject_on_worker_lost): the engine is idempotent, so running one
# again is safe. An on-demand job is not run twice (``services.run_job`` claims only a pending job): its lease
# marks it failed instead (``assessment.jobs``).


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True,
             reject_on_worker_lost=True)
def recompute_all() -> int:
    """Nightly full recompute (beat)."""
    return services.recompute_all()


@shared_task(bind=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True,
             reject_on_worker_lost=True)
def recompute_job(self, job_id: str) -> str:
    """An official's on-demand recompute, tracked by a RecomputeJob row (a retry may take up the job its
    previous try failed)."""
    return services.run_job(job_id, retrying=self.request.retries > 0).state


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, acks_late=True,
             reject_on_worker_lost=True)
def recompute_for_figure(indicator_id: int, county_id: int | None, year: int | None = None) -> int:
    """Recompute what one approved figure affects (sent after the approval commits)."""
    return services.recompute_for_figure(indicator_id, county_id, year)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def snapshot_progress(kind: str = "monthly", period: str | None = None) -> int:
    """Publish the current progress for a bulletin (月通报) or ranking (季挂榜); idempotent per period."""
    from assessment.snapshots import take_snapshot

    return take_snapshot(kind, period).pk
