"""Background exports: progress, a download link when done, a failure that leaves no file and never stays running."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import exports
from reports.formats import registry
from reports.models import ExportRecord
from tests.conftest import api_for, client_for
from tests.reports_data import ZHAOJUE, series

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    series()
    return tmp_path


def test_a_background_pdf_is_built_recorded_and_downloadable(official, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(official).get("/api/v1/reports/evaluation/", {"county": ZHAOJUE, "format": "pdf",
                                                                         "async": "1"})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    record = ExportRecord.objects.get(pk=response.json()["id"])
    assert record.status == "done" and record.percent == 100
    body = (data / record.file).read_bytes()
    assert body.startswith(b"%PDF") and record.sha256 == hashlib.sha256(body).hexdigest()
    assert not list(Path(data).rglob("*.part"))
    listed = api_for(official).get(f"/api/v1/reports/exports/{record.pk}/").json()
    assert listed["download"] == reverse("report-download", args=[record.pk])
    download = client_for(official).get(listed["download"])
    assert b"".join(download.streaming_content) == body
    page = client_for(official).get(reverse("reports-page")).content.decode()
    assert listed["download"] in page and record.sha256 in page


def test_the_page_shows_a_running_jobs_progress_and_refreshes(official, data):
    record = ExportRecord.objects.create(user=official, kind="progress", scope="progress: county=prefecture year=",
                                         params={}, format="xlsx", status="running", done=3, total=8,
                                         heartbeat_at=timezone.now())
    page = client_for(official).get(reverse("reports-page")).content.decode()
    assert f'id="export-{record.pk}"' in page and '<progress max="100" value="37">' in page
    assert 'http-equiv="refresh"' in page


def test_a_failed_job_is_marked_failed_and_leaves_no_file(official, data, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    def broken(report, progress=None):
        progress(1, 2)
        raise RuntimeError("disk full")

    monkeypatch.setitem(registry.RENDERERS, "xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(official).post(reverse("report-job"), {"kind": "progress", "county": ZHAOJUE, "format": "xlsx"})
    record = ExportRecord.objects.get()
    assert record.status == "failed" and "disk full" in record.error and not record.file and not record.sha256
    assert not [p for p in Path(data).rglob("*") if p.is_file()]


def test_a_job_whose_worker_died_is_marked_failed(official, data):
    old = timezone.now() - timedelta(seconds=exports.lease_seconds() + 5)
    lost = ExportRecord.objects.create(user=official, kind="progress", scope="x", params={}, format="pdf",
                                       status="running", heartbeat_at=old)
    alive = ExportRecord.objects.create(user=official, kind="progress", scope="x", params={}, format="pdf",
                                        status="running", heartbeat_at=timezone.now())
    part = Path(data) / "reports" / f"{lost.pk}.pdf.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half")
    api_for(official).get("/api/v1/reports/exports/")
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == "failed" and alive.status == "running" and not part.exists()


def test_a_job_runs_once(official, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = exports.start_job(official, exports.Scope("progress", ZHAOJUE, 2024), "csv")
    record.refresh_from_db()
    assert record.status == "done"
    assert exports.run_job(str(record.pk)) == "done"
    assert ExportRecord.objects.get(pk=record.pk).sha256 == record.sha256
