"""A recompute job holds a lease: running, it renews its heartbeat; silent (or never picked up) for longer than
RECOMPUTE_JOB_LEASE_SECONDS, it is marked failed when the next recompute is asked for, and that one starts.

The killed-worker case with a real Celery worker is in tests/test_celery_integration.py."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment import services
from assessment.choices import JobState
from assessment.jobs import start_recompute
from assessment.models import RecomputeJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lease(settings):
    settings.RECOMPUTE_JOB_LEASE_SECONDS = 120
    return 120


def job(state: str, *, age: float = 0, started: float | None = None, heartbeat: float | None = None,
        requested_by=None) -> RecomputeJob:
    """A job created ``age`` seconds ago, started and last beating that many seconds ago (None: never)."""
    now = timezone.now()
    created = RecomputeJob.objects.create(scope="all", requested_by=requested_by)
    RecomputeJob.objects.filter(pk=created.pk).update(
        state=state, created_at=now - timedelta(seconds=age),
        started_at=None if started is None else now - timedelta(seconds=started),
        heartbeat_at=None if heartbeat is None else now - timedelta(seconds=heartbeat))
    created.refresh_from_db()
    return created


def start(official, capture) -> tuple[RecomputeJob, int]:
    """start_recompute without running the job it queues: (the job returned, how many tasks were queued)."""
    with capture() as callbacks:
        returned = start_recompute(official)
    return returned, len(callbacks)


def test_a_running_job_with_a_fresh_heartbeat_is_returned(official, django_capture_on_commit_callbacks):
    # given: started ten minutes ago, but its worker beat 30 s ago
    running = job(JobState.RUNNING, age=600, started=600, heartbeat=30)
    # when
    returned, queued = start(official, django_capture_on_commit_callbacks)
    # then
    assert (returned.pk, queued) == (running.pk, 0)
    running.refresh_from_db()
    assert running.state == JobState.RUNNING and not running.error


def test_a_running_job_silent_past_its_lease_is_failed_and_a_new_one_starts(official,
                                                                             django_capture_on_commit_callbacks):
    # given: its last heartbeat is 121 s old, the lease 120 s
    lost = job(JobState.RUNNING, age=300, started=300, heartbeat=121)
    # when
    returned, queued = start(official, django_capture_on_commit_callbacks)
    # then
    lost.refresh_from_db()
    assert lost.state == JobState.FAILURE and lost.finished_at is not None
    assert "计算进程已中断（超过 120 秒无心跳）" in lost.error and "The worker stopped" in lost.error
    assert returned.pk != lost.pk and returned.state == JobState.PENDING and returned.requested_by == official
    assert queued == 1


def test_a_running_job_from_before_heartbeats_is_judged_by_its_start(official, django_capture_on_commit_callbacks):
    lost = job(JobState.RUNNING, age=7200, started=7200, heartbeat=None)
    returned, _ = start(official, django_capture_on_commit_callbacks)
    lost.refresh_from_db()
    assert lost.state == JobState.FAILURE and returned.pk != lost.pk


def test_the_lease_is_the_setting(official, settings, django_capture_on_commit_callbacks):
    settings.RECOMPUTE_JOB_LEASE_SECONDS = 600
    running = job(JobState.RUNNING, age=900, started=900, heartbeat=300)
    returned, queued = start(official, django_capture_on_commit_callbacks)
    assert (returned.pk, queued) == (running.pk, 0)

    settings.RECOMPUTE_JOB_LEASE_SECONDS = 240
    returned, queued = start(official, django_capture_on_commit_callbacks)
    running.refresh_from_db()
    assert running.state == JobState.FAILURE and "超过 240 秒" in running.error
    assert returned.pk != running.pk and queued == 1


def test_a_pending_job_never_picked_up_past_its_lease_is_failed(official, django_capture_on_commit_callbacks):
    stuck = job(JobState.PENDING, age=121)
    returned, queued = start(official, django_capture_on_commit_callbacks)
    stuck.refresh_from_db()
    assert stuck.state == JobState.FAILURE and stuck.finished_at is not None
    assert "没有计算进程接手" in stuck.error and "No worker picked the job up within 120 s" in stuck.error
    assert returned.pk != stuck.pk and queued == 1


def test_a_fresh_pending_job_is_returned(official, django_capture_on_commit_callbacks):
    waiting = job(JobState.PENDING, age=60)
    returned, queued = start(official, django_capture_on_commit_callbacks)
    assert (returned.pk, queued) == (waiting.pk, 0)
    waiting.refresh_from_db()
    assert waiting.state == JobState.PENDING


def test_finished_jobs_are_left_as_they_are(official, django_capture_on_commit_callbacks):
    done = job(JobState.SUCCESS, age=9000, started=9000, heartbeat=9000)
    failed = job(JobState.FAILURE, age=9000, started=9000)
    RecomputeJob.objects.filter(pk=failed.pk).update(error="database went away")
    returned, queued = start(official, django_capture_on_commit_callbacks)
    assert returned.pk not in (done.pk, failed.pk) and queued == 1
    assert RecomputeJob.objects.get(pk=done.pk).state == JobState.SUCCESS
    assert RecomputeJob.objects.get(pk=failed.pk).error == "database went away"


@pytest.fixture
def recompute_calls(monkeypatch):
    calls = []

    def recompute_all(job=None, using="default"):
        calls.append(job.pk)
        return 7

    monkeypatch.setattr(services, "recompute_all", recompute_all)
    return calls


def test_running_a_pending_job_claims_it_with_a_heartbeat(recompute_calls):
    pending = job(JobState.PENDING)
    before = timezone.now()
    finished = services.run_job(pending.pk)
    assert recompute_calls == [pending.pk]
    assert finished.state == JobState.SUCCESS and finished.rows == 7
    assert finished.heartbeat_at >= before and finished.started_at >= before


def test_a_redelivered_task_does_not_run_its_running_job_again(recompute_calls):
    """After WorkerLostError the task comes back (reject_on_worker_lost): the job it started is left to the
    lease, so a recompute that kills its worker is not run over and over."""
    running = job(JobState.RUNNING, age=30, started=30, heartbeat=5)
    returned = services.run_job(running.pk)
    assert recompute_calls == [] and returned.state == JobState.RUNNING
    assert returned.heartbeat_at == running.heartbeat_at


def test_a_job_failed_by_its_lease_is_not_run_by_a_late_task(recompute_calls):
    lost = job(JobState.FAILURE, age=600, started=600)
    assert services.run_job(lost.pk).state == JobState.FAILURE
    assert recompute_calls == []


def test_celerys_retry_takes_up_the_job_its_previous_try_failed(recompute_calls):
    failed = job(JobState.FAILURE, age=10, started=10)
    RecomputeJob.objects.filter(pk=failed.pk).update(error="server closed the connection unexpectedly")
    retried = services.run_job(failed.pk, retrying=True)
    assert recompute_calls == [failed.pk]
    assert retried.state == JobState.SUCCESS and retried.error == ""


def test_the_task_passes_on_whether_it_is_a_retry(monkeypatch):
    from assessment import tasks

    seen = []

    def run_job(job_id, using="default", *, retrying=False):
        seen.append(retrying)
        if len(seen) == 1:
            from django.db import OperationalError

            raise OperationalError("server closed the connection unexpectedly")
        return RecomputeJob(state=JobState.SUCCESS)

    monkeypatch.setattr(services, "run_job", run_job)
    monkeypatch.setattr(tasks.recompute_job, "retry_backoff", False)
    assert tasks.recompute_job.apply(args=("x",), throw=False).successful()
    assert seen == [False, True]


def test_the_recompute_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies():
    from assessment import tasks

    for task in (tasks.recompute_all, tasks.recompute_job, tasks.recompute_for_figure):
        assert task.acks_late and task.reject_on_worker_lost, task.name


def test_progress_reports_renew_the_heartbeat(official):
    """SQLite (and inside a transaction): the report's own update carries the heartbeat."""
    running = job(JobState.RUNNING, age=300, started=300, heartbeat=200)
    reporter = services._JobProgress(running, "default")
    try:
        reporter(3, 10)
    finally:
        reporter.close()
    running.refresh_from_db()
    assert (running.done, running.total) == (3, 10)
    assert timezone.now() - running.heartbeat_at < timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_no_progress_is_reported(settings):
    """PostgreSQL: a thread on the side connection renews the heartbeat even between progress reports (a
    long final evaluation), and stops when the run ends."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the side connection and its heartbeat thread are PostgreSQL's")
    settings.RECOMPUTE_JOB_LEASE_SECONDS = 2  # a beat every 0.5 s
    running = job(JobState.RUNNING, age=60, started=60, heartbeat=60)
    reporter = services._JobProgress(running, "default")
    try:
        time.sleep(1.5)
        running.refresh_from_db()
        assert timezone.now() - running.heartbeat_at < timedelta(seconds=1.2)
    finally:
        reporter.close()
    assert not reporter.beater.is_alive()
    last = RecomputeJob.objects.get(pk=running.pk).heartbeat_at
    time.sleep(1)
    assert RecomputeJob.objects.get(pk=running.pk).heartbeat_at == last
