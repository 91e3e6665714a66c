"""Excel (.xlsx, openpyxl): a cover sheet (scope, period, as of, data version, generation time, summary counts),
then one sheet per plan with frozen headers, number formats, status colours and filters."""
from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from assessment.choices import EvaluationResult, ProgressStatus
from dashboards.display import RESULT_COLOURS, STATUS_COLOURS

NUMBER_FORMATS = {"rate": "0.00", "count": "#,##0", "amount": "#,##0.00", "milestone": "0"}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_LIGHT = {ProgressStatus.NO_DATA, ProgressStatus.LAGGING, ProgressStatus.ON_TRACK, EvaluationResult.NO_DATA,
          EvaluationResult.MET_LATE}


def _fill(code: str) -> tuple[PatternFill, Font] | None:
    colour = STATUS_COLOURS.get(code) or RESULT_COLOURS.get(code)
    if colour is None:
        return None
    return (PatternFill("solid", fgColor=colour.lstrip("#").upper()),
            Font(color="000000" if code in _LIGHT else "FFFFFF"))


def _title(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "sheet"
    title, n = base, 2
    while title in taken:
        title, n = f"{base}{n}", n + 1
    taken.add(title)
    return title


def _cover(ws, report) -> None:
    ws.title = _title(_("封面"), set())
    ws["A1"] = report.title
    ws["A1"].font = Font(bold=True, size=16)
    row = 3
    for label, value in report.cover():
        ws.cell(row, 1, label).font = BOLD
        ws.cell(row, 2, value)
        row += 1
    for table in report.summaries:
        row += 1
        ws.cell(row, 1, table.title).font = Font(bold=True, size=12)
        row += 1
        for col, head in enumerate(table.header, 1):
            cell = ws.cell(row, col, head)
            cell.font, cell.fill = BOLD, HEADER_FILL
        for values in table.rows:
            row += 1
            for col, value in enumerate(values, 1):
                ws.cell(row, col, value)
        row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    for col in range(3, 10):
        ws.column_dimensions[get_column_letter(col)].width = 12


def render(report, progress: Callable[[int, int], None] | None = None) -> bytes:
    wb = Workbook()
    _cover(wb.active, report)
    taken = {wb.active.title}
    by_plan: dict[str, list] = {code: [] for code, _ in report.plans}
    for line in report.lines:
        by_plan.setdefault(line.plan, []).append(line)
    names = dict(report.plans)
    columns = report.columns
    total = len(by_plan)
    for done, (code, lines) in enumerate(by_plan.items(), 1):
        ws = wb.create_sheet(_title(names.get(code, code), taken))
        for col, column in enumerate(columns, 1):
            cell = ws.cell(1, col, str(column.label))
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[get_column_letter(col)].width = column.width
        for r, line in enumerate(lines, 2):
            for col, column in enumerate(columns, 1):
                value = getattr(line, column.key)
                if isinstance(value, datetime):
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif isinstance(value, bool):
                    value = _("是") if value else _("否")
                cell = ws.cell(r, col, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
                if column.type == "number":
                    cell.number_format = NUMBER_FORMATS.get(line.kind, "General")
                elif column.type == "datetime":
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif column.type in ("status", "result"):
                    styled = _fill(line.status if column.type == "status" else line.result)
                    if styled:
                        cell.fill, cell.font = styled
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(lines) + 1, 1)}"
        if progress:
            progress(done, total)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
