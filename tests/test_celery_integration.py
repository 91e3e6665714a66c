"""A real Celery worker recomputes progress: Redis broker, solo pool, the test's own PostgreSQL database.

The worker is a subprocess (``celery -A liangshan_edu worker --pool=solo``) given the test database through
DATABASE_URL; the test commits its figures (transactional test) so the worker sees them, sends the tasks with
``.delay()`` and waits until the stored progress changes. Each run uses a queue of its own, so other workers
on the same Redis database cannot take its tasks. Skipped when Redis or PostgreSQL is not reachable or the
tests run on SQLite — failed instead when the environment variable CI is set. The worker is always stopped.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

pytestmark = pytest.mark.integration

BROKER = (os.environ.get("CELERY_TEST_BROKER_URL") or os.environ.get("CELERY_BROKER_URL")
          or "redis://127.0.0.1:6379/15")
XICHANG = "513401"
START_TIMEOUT = 90
TASK_TIMEOUT = 90


def _require(reason: str) -> None:
    """Skip locally when a service is missing, but fail in CI (env CI set), where it must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _database_url(settings_dict: dict) -> str:
    """The test database (as the test runner renamed it) as a DATABASE_URL for the worker."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def _wait(condition, timeout: float, what: str, log: Path | None = None):
    """Poll ``condition`` until it returns something truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n--- worker log ---\n{tail}")


@contextmanager
def _sending_to(queue: str):
    """Make this process's Celery app send tasks to the real broker, on ``queue`` (restored afterwards)."""
    from liangshan_edu.celery import app

    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def reset():
        app.__dict__.pop("amqp", None)  # queues, router and producer pool are cached on it
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None

    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    reset()
    try:
        yield app
    finally:
        reset()
        app.conf.update(saved)


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A Celery worker subprocess on a queue of its own, reading and writing the test database."""
    from django.db import connection

    if connection.vendor != "postgresql":
        _require("the Celery integration test needs PostgreSQL (DATABASE_URL=postgres://…), not SQLite")
    try:
        import redis

        client = redis.Redis.from_url(BROKER, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001 — any failure means: no broker here
        _require(f"Redis not reachable at {BROKER}: {exc}")

    queue = f"test-progress-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liangshan_edu.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "cache+memory://",  # the test reads the database, not task results
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "liangshan_edu", "worker", "--pool=solo", "--loglevel=INFO",
               "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log, "wb") as out:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        _wait(lambda: worker.poll() is not None or " ready." in log.read_text(errors="replace"), START_TIMEOUT,
              "the worker to start", log)
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        with _sending_to(queue):
            yield {"log": log, "queue": queue}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=15)
        try:
            stale = list(client.scan_iter(match=f"*{queue}*"))  # the queue and kombu's bindings for it
            if stale:
                client.delete(*stale)
        except Exception:  # noqa: BLE001 — tidying the broker is best effort
            pass


def _approve_through_api(official, county, indicator, year: int, numerator: int, denominator: int):
    """A clerk's submitted rate figure, approved by an official through the API (``POST …/approve/``): the
    approval itself queues the recompute once it commits; the test sends no task of its own."""
    from counties.choices import FigureStatus
    from counties.models import Figure
    from counties.validation import rate_percent
    from tests.conftest import api_for

    figure, _ = Figure.objects.update_or_create(
        county=county, indicator=indicator, year=year,
        defaults={"value": rate_percent(Decimal(numerator), Decimal(denominator)), "numerator": numerator,
                  "denominator": denominator, "status": FigureStatus.SUBMITTED},
    )
    response = api_for(official).post(f"/api/v1/figures/{figure.pk}/approve/", {"version": figure.version},
                                      format="json")
    assert response.status_code == 200, response.content
    return figure


def test_worker_recomputes_progress_when_figures_are_approved(celery_worker, official):
    from assessment import tasks
    from assessment.choices import JobState
    from assessment.models import Progress, RecomputeJob
    from places.models import County
    from indicators.models import Indicator

    log = celery_worker["log"]
    county = County.objects.get(code=XICHANG)
    indicator = Indicator.objects.get(code="PRE-01")  # rate, at least 92 % by 2025, ratio roll-up
    rows = Progress.objects.filter(indicator=indicator)
    assert not rows.exists()

    # 80 % in 2021, 85 % in 2022: expected 80 + 12 × 1/4 = 83 in 2022, so on track; nothing yet for 2023.
    _approve_through_api(official, county, indicator, 2021, 800, 1000)
    _approve_through_api(official, county, indicator, 2022, 850, 1000)

    def statuses(area):
        return dict(rows.filter(area=area).values_list("year", "status"))

    mine = _wait(lambda: statuses(XICHANG).get(2022) == "on_track" and statuses(XICHANG), TASK_TIMEOUT,
                 "the county's progress rows after both approvals", log)
    assert mine == {2021: "on_track", 2022: "on_track", 2023: "no_data", 2024: "no_data", 2025: "no_data"}
    prefecture = statuses("prefecture")
    assert prefecture[2022] == "on_track" and prefecture[2023] == "no_data"
    row = rows.get(area=XICHANG, year=2022)
    assert (row.value, row.baseline, row.expected, row.target) == (
        Decimal("85.0000"), Decimal("80.0000"), Decimal("83.0000"), Decimal("92.0000"))

    # Approving 93 % for 2023 reaches the target: the worker turns 2023 into achieved.
    _approve_through_api(official, county, indicator, 2023, 930, 1000)
    _wait(lambda: statuses(XICHANG).get(2023) == "achieved", TASK_TIMEOUT, "2023 to become achieved", log)
    assert rows.get(area=XICHANG, year=2023).gap == 0

    # An official's full recompute job: every county × indicator × year and the prefecture, tracked by its row.
    job = RecomputeJob.objects.create(scope="all")
    tasks.recompute_job.delay(str(job.pk))

    def finished():
        job.refresh_from_db()
        return job.state in (JobState.SUCCESS, JobState.FAILURE)

    _wait(finished, TASK_TIMEOUT, "the recompute job to finish", log)
    assert job.state == JobState.SUCCESS, job.error
    assert job.rows == Progress.objects.count() > 17 * 5
    assert job.total > 0 and job.done == job.total
    assert statuses(XICHANG)[2023] == "achieved"
    assert "Traceback" not in log.read_text(errors="replace")


# ----------------------------------------------------------------------------- a worker killed mid-run --

LEASE = 3  # seconds: RECOMPUTE_JOB_LEASE_SECONDS of the killed-worker test, in the worker and in this process


def _pool_children(pid: int) -> list[int]:
    """The pool processes of a prefork worker (Linux)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture
def prefork_worker(transactional_db, tmp_path, settings):
    """A prefork worker with one pool process (so the pool process can be killed and the worker lives on), on a
    queue of its own, with the short lease ``LEASE`` (as is this process, which runs ``start_recompute``)."""
    import signal

    from django.db import connection
    from kombu import pools as kombu_pools

    if connection.vendor != "postgresql":
        _require("the Celery integration test needs PostgreSQL (DATABASE_URL=postgres://…), not SQLite")
    try:
        import redis

        client = redis.Redis.from_url(BROKER, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001 — any failure means: no broker here
        _require(f"Redis not reachable at {BROKER}: {exc}")

    settings.RECOMPUTE_JOB_LEASE_SECONDS = LEASE
    queue = f"test-lease-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liangshan_edu.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "RECOMPUTE_JOB_LEASE_SECONDS": str(LEASE),
    }
    command = [sys.executable, "-m", "celery", "-A", "liangshan_edu", "worker", "--pool=prefork", "--concurrency=1",
               "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle",
               "--without-heartbeat"]
    with open(log, "wb") as out:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        _wait(lambda: worker.poll() is not None or " ready." in log.read_text(errors="replace"), START_TIMEOUT,
              "the worker to start", log)
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        # _sending_to closes kombu's connection pool for the broker but leaves it in kombu's registry, where the
        # next test to send would find it closed: a fresh registry before and after this one's tasks.
        kombu_pools.reset()
        with _sending_to(queue):
            yield {"log": log, "queue": queue, "pid": worker.pid}
    finally:
        kombu_pools.reset()
        # The worker and its pool processes are a session of their own (start_new_session): stop that group.
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
            try:
                os.killpg(worker.pid, sig)
                worker.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            stale = list(client.scan_iter(match=f"*{queue}*"))
            if stale:
                client.delete(*stale)
        except Exception:  # noqa: BLE001 — tidying the broker is best effort
            pass


def test_a_job_whose_worker_is_killed_is_failed_after_its_lease_and_a_new_one_runs(prefork_worker, official):
    """SIGKILL of the pool process mid-run: Celery requeues the task (reject_on_worker_lost), which does not run
    the job again; the job stops beating, and once its lease is over the next request fails it and starts a new
    job, which the worker runs. Nothing of the killed run is stored (its transaction died with it)."""
    import signal

    from django.db import connection

    from assessment.choices import JobState
    from assessment.engine import LOCK_EVERY
    from assessment.jobs import start_recompute
    from assessment.models import Progress, RecomputeJob

    log, worker_pid = prefork_worker["log"], prefork_worker["pid"]
    assert not Progress.objects.exists()

    # given: a full recompute that is running, held mid-run by the full recompute's lock taken here first
    holder = connection.Database.connect(**connection.get_connection_params())
    holder.autocommit = True
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, 0)", [LOCK_EVERY])
        job = start_recompute(official)
        _wait(lambda: RecomputeJob.objects.filter(pk=job.pk, state=JobState.RUNNING).exists(), TASK_TIMEOUT,
              "the job to start running", log)

        # while it lives, its heartbeat holds the lease, longer than the lease itself
        time.sleep(LEASE + 1)
        assert start_recompute(official).pk == job.pk
        job.refresh_from_db()
        assert job.state == JobState.RUNNING

        # when: the pool process is killed
        children = _pool_children(worker_pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        killed_at = time.monotonic()
        _wait(lambda: "WorkerLostError" in log.read_text(errors="replace"), TASK_TIMEOUT,
              "the worker to notice its lost pool process", log)
        # the task comes back (reject_on_worker_lost) and leaves the job to its lease
        _wait(lambda: "succeeded" in log.read_text(errors="replace")
              and "'running'" in log.read_text(errors="replace"), TASK_TIMEOUT,
              "the redelivered task to leave the job alone", log)
    finally:
        holder.close()

    # then: the job stays "running" until its lease is over, then the next request fails it and starts anew
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    assert not Progress.objects.exists()
    time.sleep(max(0.0, LEASE + 0.5 - (time.monotonic() - killed_at)))
    new = start_recompute(official)
    job.refresh_from_db()
    assert new.pk != job.pk
    assert job.state == JobState.FAILURE and "无心跳" in job.error and "The worker stopped" in job.error

    def finished():
        new.refresh_from_db()
        return new.state in (JobState.SUCCESS, JobState.FAILURE)

    _wait(finished, TASK_TIMEOUT, "the new recompute job to finish", log)
    assert new.state == JobState.SUCCESS, new.error
    assert new.rows == Progress.objects.count() > 17 * 5
    job.refresh_from_db()
    assert job.state == JobState.FAILURE


def test_worker_publishes_the_red_black_lists(celery_worker, official):
    """An official's publication queued from the preview page's service: the worker writes the version and the
    job ends done, with its result."""
    from assessment.choices import JobState
    from redblack import jobs
    from redblack.models import ListJob, Publication
    from tests.redblack_data import YEAR, lagging_zhaojue

    from redblack.defaults import ensure_defaults
    from redblack.models import ListRule

    ensure_defaults(ListRule)  # the shipped list rules (the test database is built without migrations)
    lagging_zhaojue()
    job = jobs.start_publish(official, "2026-Q3", YEAR)  # committed (transactional test): queued at once

    def finished():
        state = ListJob.objects.filter(pk=job.pk).values_list("state", flat=True).first()
        return state in (JobState.SUCCESS, JobState.FAILURE) and state

    state = _wait(finished, TASK_TIMEOUT, "the red/black publication job to finish", celery_worker["log"])
    job.refresh_from_db()
    assert state == JobState.SUCCESS, job.error
    assert job.result == Publication.objects.get(period="2026-Q3") and job.result.entries.exists()
