"""Recomputation services: what the Celery tasks, the commands and the API call.

``using`` is the database alias to work on (``"default"`` unless the caller, e.g. the benchmark, says otherwise).
"""
from __future__ import annotations

from typing import Callable

from django.db import connections
from django.utils import timezone

from assessment import engine, evaluation, tallies
from assessment.choices import JobState
from assessment.models import RecomputeJob


def recompute_all(job: RecomputeJob | None = None, progress: Callable[[int, int], None] | None = None,
                  using: str = "default", evaluate: bool = True) -> int:
    """Recompute every progress row and the final evaluation (unless ``evaluate`` is false: the benchmark,
    which compares progress alone with its floor). Atomic: on failure the previous rows stay as they were."""
    reporter = _JobProgress(job, using) if job is not None else None

    def report(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        if reporter is not None:
            reporter(done, total)

    try:
        return engine.recompute_all(progress=report, using=using, then=(lambda: _evaluate_all(using)) if evaluate
                                    else None)
    finally:
        if reporter is not None:
            reporter.close()


class _JobProgress:
    """Keeps a job's done/total current while the recompute runs inside its own long transaction.

    Updates made inside that transaction would become visible only when it commits, so on PostgreSQL they go
    through a second, autocommitting connection. Not when the caller already holds a transaction (its
    uncommitted job row is invisible, perhaps locked, elsewhere) nor on SQLite (one writer at a time): then
    they are made in the transaction and show at its end. Progress reporting never fails a recompute.
    """

    def __init__(self, job: RecomputeJob, using: str, every: float = 1.0) -> None:
        self.pk, self.using, self.every, self.last = str(job.pk), using, every, 0.0
        main = connections[using]
        self.side = None
        if main.vendor == "postgresql" and not main.in_atomic_block:
            self.side = main.Database.connect(**main.get_connection_params())
            self.side.autocommit = True
            with self.side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")

    def __call__(self, done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        if self.side is None:
            RecomputeJob.objects.using(self.using).filter(pk=self.pk).update(done=done, total=total)
            return
        try:
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {RecomputeJob._meta.db_table} SET done = %s, total = %s WHERE id = %s",
                               [done, total, self.pk])
        except Exception:  # noqa: BLE001 — a progress report is not worth failing the recompute for
            pass

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def recompute_for_figure(indicator_id: int, county_id: int | None, year: int | None = None,
                         using: str = "default") -> int:
    """Recompute what one approved figure affects: its county's rows and the prefecture's for the indicator,
    progress and final evaluation.

    ``year``, the figure's year, lets the prefecture roll-up re-add that year's figures only."""
    def then() -> None:
        evaluation.rewrite_for(indicator_id, county_id, using)
        tallies.rewrite_for(county_id, using)

    return engine.recompute_for(indicator_id, county_id, using=using, year=year, then=then)


def _evaluate_all(using: str) -> None:
    evaluation.rewrite_all(using)
    tallies.rewrite(using)


def run_job(job_id, using: str = "default") -> RecomputeJob:
    """Run a recorded full recompute job, keeping its state current for the UI and the API."""
    jobs = RecomputeJob.objects.using(using)
    job = jobs.get(pk=job_id)
    jobs.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now(), error="")
    try:
        rows = recompute_all(job=job, using=using)
    except Exception as exc:
        jobs.filter(pk=job.pk).update(state=JobState.FAILURE, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    jobs.filter(pk=job.pk).update(state=JobState.SUCCESS, rows=rows, finished_at=timezone.now())
    job.refresh_from_db(using=using)
    return job
