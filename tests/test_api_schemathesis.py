"""schemathesis against a live server: every operation of ``/api/v1/schema/``, as an official and as a clerk.

The server is pytest-django's ``live_server`` on the test database (PostgreSQL), with the catalogue, the demo
users and a few figures of 西昌市 in every state, so the write operations (POST, PATCH, the workflow) change a
throwaway database, never the project's. The ``schemathesis run`` command line runs the coverage and fuzzing
phases with the four checks of issue 13; any failure fails the test with schemathesis's own report. The
example count is small so that CI stays within about two minutes (``SCHEMATHESIS_MAX_EXAMPLES`` raises it);
the longer run and what it found are in docs/api-contract.md.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

pytestmark = pytest.mark.integration

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
SEED = os.environ.get("SCHEMATHESIS_SEED", "13")
XICHANG = "513401"


def schemathesis_command() -> list[str]:
    executable = Path(sys.executable).with_name("schemathesis")
    if not executable.exists():
        require_service("the schemathesis command (pip install -r requirements-dev.txt)")
    return [str(executable)]


def start_schemathesis(base_url: str, token: str, output: Path) -> subprocess.Popen:
    command = [
        *schemathesis_command(), "run", f"{base_url}/api/v1/schema/",
        "--phases", "coverage,fuzzing", "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES), "--seed", SEED, "--workers", "2",
        "--header", f"Authorization: Token {token}",
        "--generation-database", "none", "--request-timeout", "30", "--no-color",
    ]
    with output.open("w", encoding="utf-8") as out:
        # in the output's folder: schemathesis keeps its own files (.schemathesis/) in the working directory
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=output.parent,
                                env={**os.environ, "NO_COLOR": "1"})


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def quick_pdf(monkeypatch):
    """The reports' PDFs as a one-page stub in this test only: schemathesis checks what the API answers (status,
    media type, body), and WeasyPrint's 10–30 s per report under CI's load made the calls with ``format=pdf`` run
    past the 30 s request timeout. The real PDFs are tested in tests/test_reports_files.py."""
    from reports.formats import registry

    monkeypatch.setitem(registry.RENDERERS, "pdf", lambda report, progress=None: MINIMAL_PDF)


@pytest.fixture
def figures_in_every_state(live_server, quick_pdf):
    """A few 西昌 figures: draft, submitted, approved (progress computed after the approval), returned."""
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("the schemathesis run needs PostgreSQL (DATABASE_URL=postgres://…), not SQLite")
    from django.contrib.auth import get_user_model

    from counties import services
    from places.models import County
    from indicators.models import Indicator

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["clerk_xichang", "official"])}
    clerk, official = users["clerk_xichang"], users["official"]
    county = County.objects.get(code=XICHANG)
    counts = Indicator.objects.filter(kind="count", level="county", retired=False).order_by("code")[:8]
    for number, indicator in enumerate(counts):
        figure = services.save_draft(clerk, county, indicator, 2024, value=10 + number).figure
        if number % 4 == 0:
            continue
        figure = services.submit(clerk, figure)
        if number % 4 == 2:
            services.approve(official, figure)
        elif number % 4 == 3:
            services.return_figure(official, figure, "请核对数值")
    return live_server


def token_for(base_url: str, username: str) -> str:
    import requests

    response = requests.post(f"{base_url}/api/v1/auth/token/",
                             data={"username": username, "password": "liangshan2025"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_schemathesis_finds_nothing_as_an_official_and_as_a_clerk(figures_in_every_state, tmp_path):
    base_url = figures_in_every_state.url
    # Both runs at once against the same server (its threads serve both): half the time on two cores.
    runs = {username: start_schemathesis(base_url, token_for(base_url, username), tmp_path / f"{username}.txt")
            for username in ("official", "clerk_xichang")}
    failed = []
    for username, process in runs.items():
        try:
            code = process.wait(timeout=900)
        except subprocess.TimeoutExpired:
            process.kill()
            code = "timeout"
        output = (tmp_path / f"{username}.txt").read_text(encoding="utf-8", errors="replace")
        print(f"── schemathesis as {username} (exit {code})\n{output[-2500:]}")  # the summary, with -rP
        if code != 0 or "Tested: 0" in output:
            failed.append(f"── schemathesis as {username} (exit {code}):\n{output[-15000:]}")
    assert not failed, "\n".join(failed)
