"""On-demand recompute jobs: an official starts one; the UI and API poll its state.

A running job renews its ``heartbeat_at`` (``services._JobProgress``); a job whose worker died stops renewing
it. Such a job, or one no worker picked up, is failed once its lease (``RECOMPUTE_JOB_LEASE_SECONDS``) has
run out, the next time someone asks for a recompute, so a lost job never blocks new ones.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.choices import JobState
from assessment.models import RecomputeJob

ACTIVE = (JobState.PENDING, JobState.RUNNING)


def lease_seconds() -> int:
    return int(settings.RECOMPUTE_JOB_LEASE_SECONDS)


def lost_running_reason(lease: int) -> str:
    return (f"计算进程已中断（超过 {lease} 秒无心跳），已标记为失败，请重新发起计算。 / "
            f"The worker stopped (no heartbeat for more than {lease} s); the job was marked failed. "
            f"Start the recompute again.")


def never_started_reason(lease: int) -> str:
    return (f"超过 {lease} 秒没有计算进程接手此任务，已标记为失败，请检查 Celery worker 后重新发起计算。 / "
            f"No worker picked the job up within {lease} s; it was marked failed. Check the Celery workers "
            f"and start the recompute again.")


def fail_lost_jobs(now: datetime | None = None) -> int:
    """Mark failed every active job whose lease ran out: running with no heartbeat (else its start) since
    the cutoff, or pending since before it. Returns how many were failed.

    Each update repeats the staleness condition, so a job that renewed its heartbeat in the meantime stays."""
    now = now or timezone.now()
    lease = lease_seconds()
    cutoff = now - timedelta(seconds=lease)
    running = (RecomputeJob.objects.filter(state=JobState.RUNNING)
               .alias(last_sign=Coalesce("heartbeat_at", "started_at", "created_at"))
               .filter(last_sign__lt=cutoff)
               .update(state=JobState.FAILURE, error=lost_running_reason(lease), finished_at=now))
    pending = (RecomputeJob.objects.filter(state=JobState.PENDING, created_at__lt=cutoff)
               .update(state=JobState.FAILURE, error=never_started_reason(lease), finished_at=now))
    return running + pending


def start_recompute(user) -> RecomputeJob:
    """Record a job and queue it after the transaction commits (eager mode runs it at once).

    A job already pending or running within its lease is returned instead of starting a second one; one past
    its lease is failed first (``fail_lost_jobs``).
    """
    fail_lost_jobs()
    active = RecomputeJob.objects.filter(state__in=ACTIVE, scope="all").first()
    if active is not None:
        return active
    job = RecomputeJob.objects.create(scope="all", requested_by=user)

    from assessment.tasks import recompute_job

    transaction.on_commit(lambda: recompute_job.delay(str(job.pk)))
    return job
