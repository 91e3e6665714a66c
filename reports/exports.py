"""Serving, recording, background building and verifying exports.

Every file served is recorded with the SHA-256 of its exact bytes (``ExportRecord``): at once for a file built in
the request; at the end of the stream for a streamed CSV (the record's id is sent first, in ``X-Export-Id``);
when a background job has written its file. A job writes to a temporary file and renames it only once complete,
so a failed job leaves no half-written file, and it never stays running: an error marks it failed, and a job
whose worker died (no heartbeat for ``REPORTS_JOB_LEASE_SECONDS``) is marked failed the next time exports are
listed.
"""
from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from liangshan_edu.roles import can_read_all
from reports import csv_copy, services
from reports.formats import CONTENT_TYPES, csv_format, filename
from reports.formats.registry import RENDERERS
from reports.models import ExportRecord
from reports.scope import HISTORY, REDBLACK, Scope, check_county

log = logging.getLogger(__name__)
Status = ExportRecord.Status


def lease_seconds() -> int:
    return int(getattr(settings, "REPORTS_JOB_LEASE_SECONDS", 300))


def verify_max_bytes() -> int:
    return int(getattr(settings, "REPORTS_VERIFY_MAX_BYTES", 50 * 1024 * 1024))


def visible_records(user) -> QuerySet[ExportRecord]:
    """Readers of everything see every record; anyone else their own."""
    qs = ExportRecord.objects.select_related("user")
    return qs if can_read_all(user) else qs.filter(user=user)


def _record(user, scope: Scope, fmt: str, report, data_sha: str, size: int, pk=None) -> ExportRecord:
    return ExportRecord.objects.create(
        id=pk or uuid.uuid4(), user=user, kind=scope.kind, scope=scope.key(), params=report.scope.params(),
        format=fmt, as_of=scope.as_of, data_version=report.data_version, sha256=data_sha, size=size,
        status=Status.DONE, finished_at=timezone.now())


def _headers(response, report, fmt: str, pk) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename(report, fmt)}"'
    response["X-Export-Id"] = str(pk)
    response["X-Data-Version"] = report.data_version


def serve(user, scope: Scope, fmt: str) -> HttpResponse:
    """The file for a scope, recorded. CSV streams (the whole prefecture at national scale does not fit in
    memory); xlsx and PDF are built whole."""
    if fmt == "csv":
        report = services.build(user, scope, stream=True)
        pk = uuid.uuid4()
        pieces = csv_copy.chunks(user, report) or csv_format.chunks(report)
        response = StreamingHttpResponse(_hashed(pieces, user, scope, report, pk),
                                         content_type=CONTENT_TYPES[fmt])
        _headers(response, report, fmt, pk)
        return response
    report = services.build(user, scope, stream=streams(scope, fmt))
    data = RENDERERS[fmt](report)
    record = _record(user, scope, fmt, report, hashlib.sha256(data).hexdigest(), len(data))
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    _headers(response, report, fmt, record.pk)
    response["X-Content-SHA256"] = record.sha256
    return response


def streams(scope: Scope, fmt: str) -> bool:
    """Whether the report's lines are read as an iterator: every CSV, and the xlsx of the change history and of
    the red/black lists (written in openpyxl's write-only mode, its cover last), which may be long."""
    return fmt == "csv" or (scope.kind in (HISTORY, REDBLACK) and fmt == "xlsx")


def _hashed(chunks: Iterator[bytes], user, scope: Scope, report, pk) -> Iterator[bytes]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    _record(user, scope, "csv", report, digest.hexdigest(), size, pk)


# --------------------------------------------------------------------------------------------- jobs --


def start_job(user, scope: Scope, fmt: str) -> ExportRecord:
    """Record a pending export and queue it after the transaction commits (eager mode runs it at once)."""
    record = ExportRecord.objects.create(user=user, kind=scope.kind, scope=scope.key(), params=scope.params(),
                                         format=fmt, as_of=scope.as_of, status=Status.PENDING)
    from reports.tasks import build_export

    transaction.on_commit(lambda: build_export.delay(str(record.pk)))
    return record


def job_path(record: ExportRecord) -> Path:
    return Path(settings.MEDIA_ROOT) / "reports" / f"{record.pk}.{record.format}"


def run_job(record_id: str) -> str:
    """Build one pending export into its file; returns the record's final status."""
    now = timezone.now()
    if not ExportRecord.objects.filter(pk=record_id, status=Status.PENDING).update(status=Status.RUNNING,
                                                                                  heartbeat_at=now):
        return ExportRecord.objects.filter(pk=record_id).values_list("status", flat=True).first() or ""
    record = ExportRecord.objects.select_related("user").get(pk=record_id)
    final = job_path(record)
    part = final.with_name(final.name + ".part")

    def progress(done: int, total: int) -> None:
        ExportRecord.objects.filter(pk=record_id, status=Status.RUNNING).update(
            done=done, total=total, heartbeat_at=timezone.now())

    try:
        scope = Scope.from_params(record.params)
        check_county(record.user, scope.county)  # the catalogue's history is the prefecture's: readers of all
        report = services.build(record.user, scope, stream=streams(scope, record.format))
        data = RENDERERS[record.format](report, progress)
        final.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, final)
        record.refresh_from_db()
        if record.status != Status.RUNNING:
            raise RuntimeError("the job was marked failed while it ran")
        record.status, record.file = Status.DONE, str(final.relative_to(settings.MEDIA_ROOT))
        record.sha256, record.size = hashlib.sha256(data).hexdigest(), len(data)
        record.data_version, record.finished_at = report.data_version, timezone.now()
        record.done = record.total = max(record.total, 1)
        record.save()
        return Status.DONE
    except Exception as exc:  # noqa: BLE001 — any failure ends the job as failed, with the reason
        log.exception("export %s failed", record_id)
        for path in (part, final):
            path.unlink(missing_ok=True)
        message = getattr(exc, "message", "") or str(exc) or exc.__class__.__name__
        ExportRecord.objects.filter(pk=record_id).exclude(status=Status.DONE).update(
            status=Status.FAILED, error=_("报表生成失败：%(reason)s") % {"reason": message},
            finished_at=timezone.now())
        return Status.FAILED


def fail_lost_jobs() -> int:
    """Mark failed every job silent for longer than its lease (its worker died, or none picked it up)."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    lost = (Q(status=Status.RUNNING, heartbeat_at__lt=cutoff) |
            Q(status=Status.PENDING, created_at__lt=cutoff))
    reason = _("超过 %(n)s 秒没有进展，生成任务已标记为失败，请重新导出。") % {"n": lease_seconds()}
    stale = list(ExportRecord.objects.filter(lost).values_list("pk", "format"))
    for pk, fmt in stale:
        part = Path(settings.MEDIA_ROOT) / "reports" / f"{pk}.{fmt}.part"
        part.unlink(missing_ok=True)
    return ExportRecord.objects.filter(lost).update(status=Status.FAILED, error=reason, finished_at=now)


# ------------------------------------------------------------------------------------------- verify --


class TooLarge(Exception):
    pass


def sha256_of(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks; TooLarge past ``REPORTS_VERIFY_MAX_BYTES``."""
    if upload.size is not None and upload.size > verify_max_bytes():
        raise TooLarge
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        size += len(chunk)
        if size > verify_max_bytes():
            raise TooLarge
        digest.update(chunk)
    return digest.hexdigest()


def matches(user, sha: str) -> list[ExportRecord]:
    """The done exports with these exact bytes, as far as the user may see records."""
    return list(visible_records(user).filter(sha256=sha, status=Status.DONE).order_by("created_at"))
