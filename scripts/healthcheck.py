#!/usr/bin/env python3
"""Compose healthcheck: ask web's /healthz about one part; exit 0 when it answers 200, 1 otherwise.

    python scripts/healthcheck.py web|worker|beat

Standard library only (it runs every 30 s in each container, so it must start fast: no Django). ``HEALTHCHECK_URL``
is web's address (default ``http://127.0.0.1:8000``; the worker and beat containers use ``http://web:8000``).
The request names the first of ``ALLOWED_HOSTS`` as its Host, since the app refuses any other. ``worker`` asks for
this container's own worker (Celery names it ``celery@<hostname>``), so each worker container tests itself.
"""
from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request


def main(part: str) -> int:
    base = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000").rstrip("/")
    query = {"check": part}
    if part == "worker":
        query["worker"] = os.environ.get("HEALTHCHECK_WORKER") or f"celery@{socket.gethostname()}"
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts and hosts[0] != "*" else "localhost"
    request = urllib.request.Request(f"{base}/healthz?{urllib.parse.urlencode(query)}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            print(response.read().decode("utf-8", "replace"))
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode("utf-8", "replace"))
    except OSError as error:
        print("no answer:", error)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "web"))
