"""The report files: one module per format, each reading a ``services.Report`` (never the database)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from dashboards.display import number

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def text(value, type_: str = "text") -> str:
    """A cell as text (CSV, PDF): numbers without trailing zeros, yes/no as 1/0, times in Asia/Shanghai."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def filename(report, fmt: str) -> str:
    stamp = timezone.localtime(report.generated_at).strftime("%Y%m%d-%H%M%S")
    if hasattr(report, "file_parts"):  # a report that names its own file (the red/black lists: period, version)
        return "-".join(p for p in report.file_parts() if p) + f"-{stamp}.{fmt}"
    scope = report.scope
    parts = [scope.kind, scope.county, str(scope.year or scope.cycle or "")]
    if scope.plan:
        parts.append(scope.plan)
    if scope.indicator:
        parts.append(scope.indicator)
    if scope.as_of:
        parts.append("asof-" + timezone.localtime(scope.as_of).strftime("%Y%m%d%H%M"))
    return "-".join(p for p in parts if p) + f"-{stamp}.{fmt}"
