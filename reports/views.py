"""The exports page (generate a report, follow background jobs, verify a file) and the file downloads the
pages' export buttons link to."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment.choices import PREFECTURE
from places.models import County
from indicators.models import Plan
from liangshan_edu.roles import can_read_all
from liangshan_edu.views import role_required
from reports import exports, redblack_report
from reports.models import ExportRecord
from reports.scope import EVALUATION, HISTORY, PROGRESS, REDBLACK, ScopeError, parse_format, resolve

PAGE_RECORDS = 50


def _page(request, *, status: int = 200, **extra):
    exports.fail_lost_jobs()
    records = list(exports.visible_records(request.user)[:PAGE_RECORDS])
    return render(request, "reports/exports.html", {
        "counties": County.objects.visible_to(request.user), "whole": can_read_all(request.user),
        "plans": Plan.objects.all(), "cycles": sorted(set(Plan.objects.values_list("cycle", flat=True))),
        "records": records, "max_mb": exports.verify_max_bytes() // (1024 * 1024),
        "working": any(r.status in (ExportRecord.Status.PENDING, ExportRecord.Status.RUNNING)
                       and r.user_id == request.user.pk for r in records),
        "prefecture": PREFECTURE, **extra,
    }, status=status)


@role_required()
@require_GET
def exports_page(request):
    """报表导出: generate a report, the records of every export, and verification of a file."""
    return _page(request)


def _download(request, kind: str):
    try:
        scope = resolve(request.user, kind, request.GET)
        fmt = parse_format(request.GET.get("format"), kind=kind)
    except ScopeError as e:
        return _page(request, status=e.status, error=e.message)
    return exports.serve(request.user, scope, fmt)


@role_required()
@require_GET
def progress_file(request):
    return _download(request, PROGRESS)


@role_required()
@require_GET
def evaluation_file(request):
    return _download(request, EVALUATION)


@role_required()
@require_GET
def history_file(request):
    """数据变更记录: the change history with the audit log's filters, as xlsx or CSV (a clerk: their county's)."""
    return _download(request, HISTORY)


@role_required()
@require_GET
def redblack_file(request):
    """红黑榜: one published version (``version``: its id) as xlsx, CSV or PDF, optionally one county's lines.
    Every role, like the lists pages (they are not scoped by county: a clerk exports any county's lines)."""
    try:
        scope = redblack_report.resolve(request.GET)
        fmt = parse_format(request.GET.get("format"), kind=REDBLACK)
        redblack_report.check_size(scope, fmt)
    except ScopeError as e:
        return _page(request, status=e.status, error=e.message)
    return exports.serve(request.user, scope, fmt)


@role_required()
@require_POST
def start_job(request):
    """Build a report in the background; the page shows its progress and then a download link."""
    kind = request.POST.get("kind")
    try:
        if kind not in (PROGRESS, EVALUATION, HISTORY):
            raise ScopeError(_("请选择报表类型。"))
        scope = resolve(request.user, kind, request.POST)
        fmt = parse_format(request.POST.get("format"), kind=kind)
    except ScopeError as e:
        return _page(request, status=e.status, error=e.message)
    record = exports.start_job(request.user, scope, fmt)
    return redirect(reverse("reports-page") + f"#export-{record.pk}")


@role_required()
@require_GET
def download_record(request, pk):
    """A background job's file, to those who may see its record."""
    record = get_object_or_404(exports.visible_records(request.user), pk=pk, status=ExportRecord.Status.DONE)
    path = Path(settings.MEDIA_ROOT) / record.file if record.file else None
    if path is None or not path.is_file():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)


@role_required()
@require_POST
def verify(request):
    """Upload a file and learn whether and when it was exported here."""
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, status=400, verify_error=_("请选择要核验的文件。"))
    try:
        sha = exports.sha256_of(upload)
    except exports.TooLarge:
        return _page(request, status=413, verify_error=_("文件超过 %(mb)s MB，无法核验。") % {
            "mb": exports.verify_max_bytes() // (1024 * 1024)})
    return _page(request, verified={"sha256": sha, "name": upload.name, "records": exports.matches(request.user, sha)})
