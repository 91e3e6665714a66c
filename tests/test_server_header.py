"""gunicorn, started with the repository's gunicorn.conf.py, sends no ``Server`` banner, and the app's security
headers still arrive; the compose healthcheck script gets its 200 from it over plain HTTP.

A real gunicorn (one worker) on a free local port, production settings (``DEBUG=0``, HTTPS redirect on), an empty
SQLite file as its database (``/healthz`` only asks it ``SELECT 1``).
"""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
HOST = "edu.example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = {**os.environ, "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "1", "DEBUG": "0", "SECRET_KEY": "x" * 50,
           "ALLOWED_HOSTS": HOST, "SECURE_SSL_REDIRECT": "1", "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
           "CELERY_BROKER_URL": ""}
    log = tmp / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                    "liangshan_edu.wsgi:application"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def request(port: int, path: str, **headers) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("path, proto, status", [("/healthz", "https", 200), ("/healthz", "http", 200),
                                                 ("/accounts/login/", "http", 301)])
def test_no_server_banner_and_the_security_headers(server, path, proto, status):
    response = request(server, path, **{"X-Forwarded-Proto": proto})
    assert response.status == status
    assert response.getheader("Server") is None
    if status == 301:  # the HTTPS redirect, answered before the other headers are added: no body to protect
        assert response.getheader("Location") == f"https://{HOST}{path}"
        return
    assert "script-src 'self'" in response.getheader("Content-Security-Policy")
    assert "camera=()" in response.getheader("Permissions-Policy")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    if proto == "https":
        assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")


def test_the_compose_healthcheck_script_gets_200_over_plain_http(server):
    def probe(port: int) -> subprocess.CompletedProcess:
        env = {**os.environ, "HEALTHCHECK_URL": f"http://127.0.0.1:{port}", "ALLOWED_HOSTS": f"{HOST},other.example"}
        return subprocess.run([sys.executable, str(ROOT / "scripts" / "healthcheck.py"), "web"], env=env,
                              capture_output=True, text=True, timeout=30)

    answered = probe(server)
    assert answered.returncode == 0, answered.stdout + answered.stderr
    assert '"database": {"status": "ok"}' in answered.stdout
    assert probe(_free_port()).returncode == 1  # nothing listening: unhealthy
