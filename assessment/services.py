"""Recomputation services: what the Celery tasks, the commands and the API call.

``using`` is the database alias to work on (``"default"`` unless the caller, e.g. the benchmark, says otherwise).
"""
from __future__ import annotations

import threading
from typing import Callable

from django.conf import settings
from django.db import connections
from django.utils import timezone

from assessment import engine, evaluation, incremental, tallies
from assessment.choices import JobState
from assessment.models import Progress, RecomputeJob
from assessment.signals import progress_recompute_starting, progress_recomputed
from liangshan_edu.dataversion import PROGRESS, changed


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
        taps = [tap for _receiver, tap in progress_recompute_starting.send(sender=Progress, using=using)
                if callable(tap)]
        rows = engine.recompute_all(progress=report, using=using, then=(lambda: _evaluate_all(using)) if evaluate
                                    else None, taps=taps)
        changed(PROGRESS, using=using)
        progress_recomputed.send(sender=Progress, rows=None, indicator_id=None, using=using, taps=taps)
        return rows
    finally:
        if reporter is not None:
            reporter.close()


class _JobProgress:
    """Keeps a job's done/total and heartbeat current while the recompute runs inside its own long transaction.

    Updates made inside that transaction would become visible only when it commits, so on PostgreSQL they go
    through a second, autocommitting connection. Not when the caller already holds a transaction (its
    uncommitted job row is invisible, perhaps locked, elsewhere) nor on SQLite (one writer at a time): then
    they are made in the transaction and show at its end. Progress reporting never fails a recompute.

    On that side connection a background thread also renews ``heartbeat_at`` a few times per lease
    (``RECOMPUTE_JOB_LEASE_SECONDS``), so steps that report no progress for long (the final evaluation at
    national scale) keep the job alive; the beat stops with the process, which is how a lost worker shows.
    """

    def __init__(self, job: RecomputeJob, using: str, every: float = 1.0) -> None:
        self.pk, self.using, self.every, self.last = str(job.pk), using, every, 0.0
        main = connections[using]
        self.side = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.beater: threading.Thread | None = None
        if main.vendor == "postgresql" and not main.in_atomic_block:
            self.side = main.Database.connect(**main.get_connection_params())
            self.side.autocommit = True
            with self.side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            beat = min(30.0, max(0.5, settings.RECOMPUTE_JOB_LEASE_SECONDS / 4))
            self.beater = threading.Thread(target=self._beat, args=(beat,), name=f"job-heartbeat-{self.pk}",
                                           daemon=True)
            self.beater.start()

    def __call__(self, done: int, total: int) -> None:
        now = timezone.now()
        if done < total and now.timestamp() - self.last < self.every:
            return
        self.last = now.timestamp()
        if self.side is None:
            RecomputeJob.objects.using(self.using).filter(pk=self.pk).update(done=done, total=total, heartbeat_at=now)
            return
        self._side_update("done = %s, total = %s, heartbeat_at = %s", [done, total, now])

    def _beat(self, interval: float) -> None:
        while not self.stopped.wait(interval):
            self._side_update("heartbeat_at = %s", [timezone.now()])

    def _side_update(self, assignments: str, params: list) -> None:
        try:
            with self.lock, self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {RecomputeJob._meta.db_table} SET {assignments} WHERE id = %s",
                               [*params, self.pk])
        except Exception:  # noqa: BLE001 — a progress report is not worth failing the recompute for
            pass

    def close(self) -> None:
        self.stopped.set()
        if self.beater is not None:
            self.beater.join(timeout=10)
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

    rows = incremental.recompute_for(indicator_id, county_id, using=using, year=year, then=then)
    changed(PROGRESS, using=using)
    return rows


def _evaluate_all(using: str) -> None:
    evaluation.rewrite_all(using)
    tallies.rewrite(using)


def run_job(job_id, using: str = "default", *, retrying: bool = False) -> RecomputeJob:
    """Run a recorded full recompute job, keeping its state current for the UI and the API.

    The job is claimed with a conditional update: a pending job, or (``retrying``: Celery's retry after a
    transient error) the job this task's previous try failed. Any other job is returned untouched: one running
    elsewhere, or whose worker was lost (a task redelivered after ``WorkerLostError``: the lease fails it, see
    ``assessment.jobs``), so a recompute that kills its worker is not run again and again.
    """
    jobs = RecomputeJob.objects.using(using)
    claimable = [JobState.PENDING, JobState.FAILURE] if retrying else [JobState.PENDING]
    now = timezone.now()
    claimed = jobs.filter(pk=job_id, state__in=claimable).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, finished_at=None, error="")
    job = jobs.get(pk=job_id)
    if not claimed:
        return job
    try:
        rows = recompute_all(job=job, using=using)
    except Exception as exc:
        jobs.filter(pk=job.pk).update(state=JobState.FAILURE, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    jobs.filter(pk=job.pk).update(state=JobState.SUCCESS, rows=rows, finished_at=timezone.now())
    job.refresh_from_db(using=using)
    return job
