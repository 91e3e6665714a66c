"""Publishing and correcting the lists in the background, followed on a page ("long work shows progress": a
national list takes seconds to tens of seconds; one web request would hold a worker and risk its timeout).

``start_publish``/``start_correct`` check at once what can be checked at once — the official, the period, a
second publication (409), the version to correct, the reason, the lines to withdraw — so a refusal is an answer,
not a failed job; then they record a pending job and queue it once the transaction commits (eager mode runs it
at once). ``run`` does the work through ``lists.publish``/``lists.correct`` (one transaction writes the version:
nothing half-written), keeping the job's step, done/total and heartbeat current. A job silent for longer than
``REDBLACK_JOB_LEASE_SECONDS`` lost its worker (or none picked it up) and is marked failed (``fail_lost_jobs``,
called by the pages), never left "running". One job at a time per period.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.choices import JobState
from redblack import lists, periods
from redblack.models import ListJob, Publication

log = logging.getLogger(__name__)
ACTIVE = (JobState.PENDING, JobState.RUNNING)


class JobRunning(Exception):
    """A publication or correction of the period is already queued or running."""

    def __init__(self, job: ListJob) -> None:
        super().__init__(job.period)
        self.job = job


def lease_seconds() -> int:
    return int(getattr(settings, "REDBLACK_JOB_LEASE_SECONDS", 600))


def _queue(user, **fields) -> ListJob:
    fail_lost_jobs()
    running = ListJob.objects.filter(period=fields["period"], state__in=ACTIVE).first()
    if running is not None:
        raise JobRunning(running)
    job = ListJob.objects.create(requested_by=user, **fields)
    from redblack.tasks import run_list_job

    transaction.on_commit(lambda: run_list_job.delay(str(job.pk)))
    return job


def start_publish(user, period: str, year: int) -> ListJob:
    """Queue the publication of ``period`` from data ``year`` (refusals as ``lists.publish`` gives them)."""
    lists.check_official(user)
    parsed = periods.parse(period)
    existing = Publication.objects.filter(period=parsed.text).order_by("version").first()
    if existing is not None:
        raise lists.AlreadyPublished(existing)
    return _queue(user, action=ListJob.Action.PUBLISH, period=parsed.text, year=year)


def start_correct(user, publication: Publication, *, remove: list[int], reason: str) -> ListJob:
    """Queue a correction of ``publication`` (refusals as ``lists.correct`` gives them)."""
    lists.check_correction(user, publication, remove=remove, reason=reason)
    return _queue(user, action=ListJob.Action.CORRECT, period=publication.period, year=publication.year,
                  corrects=publication, remove=sorted(set(remove)), reason=reason.strip())


def run(job_id: str) -> str:
    """Do one pending job; returns its final state."""
    now = timezone.now()
    if not ListJob.objects.filter(pk=job_id, state=JobState.PENDING).update(state=JobState.RUNNING, started_at=now,
                                                                           heartbeat_at=now):
        return ListJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or ""
    job = ListJob.objects.select_related("requested_by", "corrects").get(pk=job_id)

    def progress(done: int, total: int, step: str) -> None:
        ListJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
            done=done, total=total, step=step[:200], heartbeat_at=timezone.now())

    try:
        if job.action == ListJob.Action.PUBLISH:
            result = lists.publish(job.requested_by, job.period, job.year, progress=progress)
        else:
            result = lists.correct(job.requested_by, job.corrects, remove=job.remove, reason=job.reason,
                                   progress=progress)
    except (lists.AlreadyPublished, periods.PeriodError, PermissionDenied, ValueError) as exc:
        return _failed(job_id, str(exc))
    except Exception:  # noqa: BLE001 — any failure ends the job as failed, never "running"
        log.exception("red/black job %s failed", job_id)
        return _failed(job_id, _("发布失败（系统错误），已记录日志；榜单未作任何改动，请重试。"))
    ListJob.objects.filter(pk=job_id).update(state=JobState.SUCCESS, result=result, finished_at=timezone.now(),
                                             heartbeat_at=timezone.now(), done=1, total=1, step="")
    return JobState.SUCCESS


def _failed(job_id: str, message: str) -> str:
    ListJob.objects.filter(pk=job_id).exclude(state=JobState.SUCCESS).update(
        state=JobState.FAILURE, error=message, finished_at=timezone.now())
    return JobState.FAILURE


def fail_lost_jobs() -> int:
    """Mark failed every job silent for longer than its lease."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    lost = Q(state=JobState.RUNNING, heartbeat_at__lt=cutoff) | Q(state=JobState.PENDING, created_at__lt=cutoff)
    reason = _("超过 %(n)s 秒没有进展，任务已标记为失败；榜单未作任何改动，请重新发布。") % {"n": lease_seconds()}
    return ListJob.objects.filter(lost).update(state=JobState.FAILURE, error=reason, finished_at=now)
