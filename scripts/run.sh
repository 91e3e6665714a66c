#!/usr/bin/env bash
# Set up and serve liangshan-edu on http://127.0.0.1:8000 (embedded default: SQLite, Celery eager, demo data).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python manage.py bootstrap --demo
exec .venv/bin/python manage.py runserver "${BIND:-127.0.0.1:8000}"
