"""On-demand recompute jobs: an official starts one; the UI and API poll its state."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessment.choices import JobState
from assessment.models import RecomputeJob


def start_recompute(user) -> RecomputeJob:
    """Record a job and queue it after the transaction commits (eager mode runs it at once).

    A job already pending or running is returned instead of starting a second one.
    """
    # A job whose worker died long ago must not block new ones forever.
    recent = timezone.now() - timedelta(hours=1)
    active = RecomputeJob.objects.filter(state__in=[JobState.PENDING, JobState.RUNNING], scope="all",
                                         created_at__gte=recent).first()
    if active is not None:
        return active
    job = RecomputeJob.objects.create(scope="all", requested_by=user)

    from assessment.tasks import recompute_job

    transaction.on_commit(lambda: recompute_job.delay(str(job.pk)))
    return job
