"""/healthz: anonymous, cheap, 200 while the database answers, 503 when the part asked about is not healthy.

The heartbeat tests use a real Redis (the test broker, ``CELERY_TEST_BROKER_URL``), and one starts a real worker
to see its consumer write its heartbeat; those are marked ``integration``.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from liangshan_edu import health
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

BROKER = os.environ.get("CELERY_TEST_BROKER_URL") or "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[1]


def get(path: str = "/healthz"):
    return Client().get(path)


def test_it_answers_anonymously_with_no_version_or_host():
    response = get()
    assert response.status_code == 200
    body = response.json()
    assert body["check"] == "web" and body["checks"]["database"] == {"status": "ok"}
    # No broker in the embedded default: tasks run in-process, nothing to watch.
    assert body["checks"]["worker"] == {"status": "off"} and body["status"] == "ok"
    text = response.content.decode().lower()
    for leak in ("version", "django", "redis://", "postgres", "sqlite", "127.0.0.1"):
        assert leak not in text
    assert "no-cache" in response["Cache-Control"]


def test_it_is_503_when_the_database_does_not_answer():
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("gone")):
        response = get()
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down" and response.json()["status"] == "down"


def test_an_unknown_check_is_a_400_with_a_message():
    response = get("/healthz?check=everything")
    assert response.status_code == 400 and "web" in response.json()["message"]
    assert get("/healthz?check=worker&worker=" + "x" * 300).status_code == 400
    english = Client().get("/healthz?check=all", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"].startswith("check must be web, worker or beat")


def test_it_is_exempt_from_the_https_redirect_and_only_it(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert get().status_code == 200
    assert get("/accounts/login/").status_code == 301


@pytest.mark.parametrize("age, status", [(1, "ok"), (44, "ok"), (46, "stale"), (3000, "stale")])
def test_heartbeat_age_makes_ok_or_stale(age, status):
    assert health.heartbeat_check(str(1000.0 - age).encode(), 15, now=1000.0) == {"status": status, "age": float(age)}


def test_a_missing_heartbeat_is_down():
    assert health.heartbeat_check(None, 15, now=1000.0) == {"status": "down", "age": None}


@pytest.fixture
def broker(settings):
    """The test broker's Redis, emptied of our heartbeat keys before and after."""
    import redis

    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.RedisError:
        require_service(f"Redis at {BROKER}")
    settings.CELERY_BROKER_URL = BROKER

    def clear():
        for key in client.scan_iter(match=health.HEARTBEAT_KEY_WORKER + "*"):
            client.delete(key)
        client.delete(health.HEARTBEAT_KEY_BEAT)

    clear()
    yield client
    clear()


@pytest.mark.integration
def test_without_heartbeats_worker_and_beat_are_down_but_web_is_up(broker):
    assert get().status_code == 200
    body = get().json()
    assert body["checks"]["broker"] == {"status": "ok"}
    assert body["checks"]["worker"]["status"] == "down" and body["checks"]["beat"]["status"] == "down"
    assert body["status"] == "degraded"
    assert get("/healthz?check=worker").status_code == 503
    assert get("/healthz?check=beat").status_code == 503


@pytest.mark.integration
def test_fresh_heartbeats_are_ok_and_old_ones_stale(broker, settings):
    health.record_worker_heartbeat("celery@a")
    health.record_beat_heartbeat()
    assert get("/healthz?check=worker").status_code == 200
    assert get("/healthz?check=worker&worker=celery@a").status_code == 200
    assert get("/healthz?check=worker&worker=celery@b").status_code == 503
    response = get("/healthz?check=beat")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert broker.ttl(health.HEARTBEAT_KEY_BEAT) > 0  # a dead beat's heartbeat goes away by itself

    broker.set(health.HEARTBEAT_KEY_BEAT, time.time() - 4 * settings.HEALTH_BEAT_HEARTBEAT_SECONDS)
    response = get("/healthz?check=beat")
    assert response.status_code == 503 and response.json()["checks"]["beat"]["status"] == "stale"


@pytest.mark.integration
def test_web_is_up_while_the_broker_is_down(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = get()
    assert response.status_code == 200 and response.json()["checks"]["broker"] == {"status": "down"}
    assert get("/healthz?check=worker").status_code == 503


@pytest.mark.integration
def test_beat_publishing_its_heartbeat_task_writes_beats_heartbeat(broker):
    from liangshan_edu.celery import HEARTBEAT_TASK, app

    assert HEARTBEAT_TASK in {entry["task"] for entry in app.conf.beat_schedule.values()}
    queue = f"test-health-{uuid.uuid4().hex[:8]}"
    with app.connection_for_write(BROKER) as connection:
        app.send_task(HEARTBEAT_TASK, queue=queue, connection=connection)
    broker.delete(queue)
    assert get("/healthz?check=beat").status_code == 200


@pytest.mark.integration
def test_a_real_workers_consumer_writes_its_heartbeat(broker, tmp_path):
    """A worker (solo pool) started against the test broker is seen alive by name; stopped, it stops writing."""
    hostname = f"health-{uuid.uuid4().hex[:8]}@test"
    queue = f"test-health-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "CELERY_RESULT_BACKEND": "cache+memory://",
           "HEALTH_WORKER_HEARTBEAT_SECONDS": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}"}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "liangshan_edu", "worker", "--pool=solo", "-n", hostname,
             "-Q", queue, "--without-gossip", "--without-mingle", "-l", "info"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while get(f"/healthz?check=worker&worker={hostname}").status_code != 200:
            assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        first = float(broker.get(f"{health.HEARTBEAT_KEY_WORKER}:{hostname}"))
        time.sleep(2.5)
        assert float(broker.get(f"{health.HEARTBEAT_KEY_WORKER}:{hostname}")) > first  # renewed on the timer
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    stopped_at = float(broker.get(f"{health.HEARTBEAT_KEY_WORKER}:{hostname}"))
    time.sleep(2)
    assert float(broker.get(f"{health.HEARTBEAT_KEY_WORKER}:{hostname}")) == stopped_at


@pytest.mark.integration
def test_a_real_beat_publishes_its_heartbeat(broker, tmp_path):
    """Beat (its schedule from settings, a 1 s heartbeat) writes beat's heartbeat as it publishes the task.

    The file scheduler stands in for django-celery-beat's (which needs a migrated database); the schedule entry and
    the publishing are the same.
    """
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "HEALTH_BEAT_HEARTBEAT_SECONDS": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'beat.sqlite3'}"}
    log = tmp_path / "beat.log"
    with log.open("wb") as out:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "liangshan_edu", "beat", "-S", "celery.beat:PersistentScheduler",
             "-s", str(tmp_path / "schedule"), "--max-interval", "1", "-l", "info"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while get("/healthz?check=beat").status_code != 200:
            assert beat.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
    finally:
        beat.terminate()
        beat.wait(timeout=30)
        broker.delete("celery")  # the heartbeat messages nobody took (the test broker's default queue)
