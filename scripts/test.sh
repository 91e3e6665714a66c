#!/usr/bin/env bash
# Run the whole test suite. SQLite by default; with DATABASE_URL=postgres://… it runs on PostgreSQL.
# Tests needing Redis, a Celery worker, PostgreSQL or Chromium are skipped when those are missing,
# except when CI is set, where they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
.venv/bin/python manage.py check_catalogue
exec .venv/bin/python -m pytest --create-db "$@"
