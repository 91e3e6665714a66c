"""gunicorn's settings for liangshan-edu (read from the working directory: ``gunicorn liangshan_edu.wsgi:application``).

Settings come from the environment, as for the app: ``WEB_BIND`` (default ``0.0.0.0:8000``), ``WEB_WORKERS`` (3),
``WEB_TIMEOUT`` (30 s, gunicorn's default). Access log on stdout.

gunicorn has no setting for its ``Server: gunicorn`` header (27.0 writes it in ``Response.default_headers``), and
behind the proxy it only tells an attacker what runs there: the header is dropped here, before the workers fork.
``tests/test_server_header.py`` starts gunicorn with this file and reads the headers, so an upgrade that moves
the header elsewhere fails the test instead of bringing the banner back silently.
"""
from __future__ import annotations

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
accesslog = "-"

_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
