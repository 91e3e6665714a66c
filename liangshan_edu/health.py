"""``/healthz``: can web serve, is the broker up, is a worker alive, is beat running.

Every check answers ``ok``, ``stale`` or ``down`` (``off`` when no broker is configured: tasks then run in-process
and there is no worker or beat to watch), and the heartbeats their age in seconds. The probe is cheap on purpose,
since compose asks it every 30 s per container: one ``SELECT 1`` and one Redis round trip (PING and two GETs in a
pipeline). Workers and beat are not asked anything: they write their own heartbeats to the broker's Redis
(``liangshan_edu.celery``), and the probe only reads them.

- worker: every worker writes ``HEARTBEAT_KEY_WORKER`` and its own ``…:<hostname>`` every
  ``HEALTH_WORKER_HEARTBEAT_SECONDS`` from its consumer's timer, so a worker that lost the broker or died stops writing.
- beat: beat publishes the tiny ``liangshan_edu.heartbeat`` task every ``HEALTH_BEAT_HEARTBEAT_SECONDS``, and the
  publishing process (beat) writes ``HEARTBEAT_KEY_BEAT`` once the broker has taken it.

``?check=web`` (the default) answers 200 when the database answers (web can serve without Redis: only the
background jobs wait), ``?check=worker`` 200 when a worker's heartbeat is fresh (``&worker=celery@host`` asks for
that worker), ``?check=beat`` when beat's is; 503 otherwise. The body names no host, version or setting.
"""
from __future__ import annotations

import logging
import time
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

HEARTBEAT_KEY_WORKER = "liangshan:health:worker"
HEARTBEAT_KEY_BEAT = "liangshan:health:beat"
# A heartbeat older than this many intervals is stale (one late write is not yet a problem); the key expires
# after DOWN_AFTER intervals, and a missing one means the process is down (or never started).
STALE_AFTER = 3
DOWN_AFTER = 20

OK, STALE, DOWN, OFF = "ok", "stale", "down", "off"
CHECKS = ("web", "worker", "beat")
MAX_WORKER_NAME = 200


@lru_cache(maxsize=1)
def broker_client(url: str):
    """A Redis client of the broker, short timeouts (a probe must not hang), reused across requests."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _broker_url() -> str:
    url = settings.CELERY_BROKER_URL or ""
    return url if url.startswith(("redis://", "rediss://", "unix://")) else ""


def _write_heartbeat(keys: list[str], interval: float) -> None:
    url = _broker_url()
    if not url:
        return
    now = f"{time.time():.3f}"
    try:
        with broker_client(url).pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(key, now, ex=int(interval * DOWN_AFTER))
            pipe.execute()
    except Exception:  # a heartbeat must never take its worker or beat down with it
        logger.warning("could not write the health heartbeat", exc_info=True)


def record_worker_heartbeat(hostname: str) -> None:
    """Called by every worker's consumer timer (``liangshan_edu.celery.WorkerHeartbeat``)."""
    _write_heartbeat([HEARTBEAT_KEY_WORKER, f"{HEARTBEAT_KEY_WORKER}:{hostname}"], settings.HEALTH_WORKER_HEARTBEAT_SECONDS)


def record_beat_heartbeat() -> None:
    """Called in beat once it has published the heartbeat task."""
    _write_heartbeat([HEARTBEAT_KEY_BEAT], settings.HEALTH_BEAT_HEARTBEAT_SECONDS)


def heartbeat_check(stamp: bytes | str | None, interval: float, now: float) -> dict:
    """``ok`` / ``stale`` / ``down`` with the age in seconds of a heartbeat written every ``interval`` seconds."""
    if stamp is None:
        return {"status": DOWN, "age": None}
    try:
        age = max(0.0, now - float(stamp))
    except ValueError:
        return {"status": DOWN, "age": None}
    return {"status": OK if age <= interval * STALE_AFTER else STALE, "age": round(age, 1)}


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health: the database does not answer", exc_info=True)
        return {"status": DOWN}
    return {"status": OK}


def broker_checks(worker: str | None = None) -> dict[str, dict]:
    """The broker, a worker's heartbeat (``worker``'s if named) and beat's, in one Redis round trip."""
    url = _broker_url()
    if not url:
        return {"broker": {"status": OFF}, "worker": {"status": OFF}, "beat": {"status": OFF}}
    worker_key = f"{HEARTBEAT_KEY_WORKER}:{worker}" if worker else HEARTBEAT_KEY_WORKER
    try:
        with broker_client(url).pipeline(transaction=False) as pipe:
            _, worker_stamp, beat_stamp = pipe.ping().get(worker_key).get(HEARTBEAT_KEY_BEAT).execute()
    except Exception:
        logger.warning("health: the broker does not answer", exc_info=True)
        return {"broker": {"status": DOWN}, "worker": {"status": DOWN, "age": None},
                "beat": {"status": DOWN, "age": None}}
    now = time.time()
    return {"broker": {"status": OK},
            "worker": heartbeat_check(worker_stamp, settings.HEALTH_WORKER_HEARTBEAT_SECONDS, now),
            "beat": heartbeat_check(beat_stamp, settings.HEALTH_BEAT_HEARTBEAT_SECONDS, now)}


@never_cache
@require_safe
def healthz(request):
    """Anonymous on purpose: the compose healthchecks and the proxy ask it without an account; it tells nothing
    beyond up or down (no host, version, setting or data)."""
    check = request.GET.get("check", "web")
    worker = request.GET.get("worker") or None
    if check not in CHECKS or (worker is not None and (len(worker) > MAX_WORKER_NAME or not worker.isprintable())):
        return JsonResponse({"message": _("check 只能是 web、worker 或 beat；worker 是一个 worker 的名字（celery@主机名）。")},
                            status=400)
    checks = {"database": database_check(), **broker_checks(worker)}
    deciding = checks["database"] if check == "web" else checks[check]
    healthy = deciding["status"] in (OK, OFF)
    statuses = {part["status"] for part in checks.values()}
    overall = OK if statuses <= {OK, OFF} else ("degraded" if checks["database"]["status"] == OK else DOWN)
    return JsonResponse({"status": overall, "check": check, "checks": checks}, status=200 if healthy else 503)
