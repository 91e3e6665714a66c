"""Recomputation services: what the Celery tasks, the commands and the API call."""
from __future__ import annotations

from typing import Callable

from django.db.models import Q
from django.utils import timezone

from assessment import engine
from assessment.choices import PREFECTURE, JobState
from assessment.models import Progress, RecomputeJob


def recompute_all(job: RecomputeJob | None = None, progress: Callable[[int, int], None] | None = None,
                  using: str = "default") -> int:
    """Recompute every progress row. Atomic: on failure the previous rows stay as they were."""
    def report(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        if job is not None and (done == total or done % 10 == 0):
            RecomputeJob.objects.using(using).filter(pk=job.pk).update(done=done, total=total)

    return engine.write(engine.compute_all(progress=report, using=using),
                        replace=lambda: Progress.objects.using(using).all().delete(), using=using)


def recompute_for_figure(indicator_id: int, county_id: int | None) -> int:
    """Recompute what one approved figure affects: its county's rows and the prefecture's for the indicator."""
    from counties.models import County

    areas = [PREFECTURE]
    if county_id is not None:
        areas.append(County.objects.values_list("code", flat=True).get(id=county_id))
    return engine.write(
        engine.compute_for(indicator_id, county_id),
        replace=lambda: Progress.objects.filter(Q(indicator_id=indicator_id) & Q(area__in=areas)).delete(),
    )


def run_job(job_id) -> RecomputeJob:
    """Run a recorded full recompute job, keeping its state current for the UI and the API."""
    job = RecomputeJob.objects.get(pk=job_id)
    RecomputeJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=timezone.now(), error="")
    try:
        rows = recompute_all(job=job)
    except Exception as exc:
        RecomputeJob.objects.filter(pk=job.pk).update(state=JobState.FAILURE, error=str(exc)[:2000],
                                                      finished_at=timezone.now())
        raise
    RecomputeJob.objects.filter(pk=job.pk).update(state=JobState.SUCCESS, rows=rows, finished_at=timezone.now())
    job.refresh_from_db()
    return job
