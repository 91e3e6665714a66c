"""Excel (.xlsx, openpyxl): a cover sheet (scope, period, as of, data version, generation time, summary counts),
then one sheet per plan with frozen headers, number formats, status colours and filters.

Written in openpyxl's write-only mode: rows go to the file as they are read, so a long change history (its lines
an iterator, ``services.history_report(stream=True)``) does not build a workbook in memory. The data sheets are
written first and the cover last (a streamed report has its counts only once its lines are read), then the cover
is moved to the front.
"""
from __future__ import annotations

import io
import re
from datetime import datetime
from itertools import chain
from typing import Callable, Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from assessment.choices import EvaluationResult, ProgressStatus
from dashboards.display import RESULT_COLOURS, STATUS_COLOURS

NUMBER_FORMATS = {"rate": "0.00", "count": "#,##0", "amount": "#,##0.00", "milestone": "0"}
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
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


def _styled(ws, value, font: Font | None = None, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _cover(ws, report) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    for col in range(3, 10):
        ws.column_dimensions[get_column_letter(col)].width = 12
    ws.append([_styled(ws, report.title, Font(bold=True, size=16))])
    ws.append([])
    for label, value in report.cover():
        ws.append([_styled(ws, label, BOLD), value])
    for table in report.summaries:
        ws.append([])
        ws.append([_styled(ws, table.title, Font(bold=True, size=12))])
        ws.append([_styled(ws, head, BOLD, HEADER_FILL) for head in table.header])
        for values in table.rows:
            ws.append(values)


def _cell(ws, line, column):
    value = getattr(line, column.key)
    if isinstance(value, datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, bool):
        value = _("是") if value else _("否")
    cell = WriteOnlyCell(ws, value)
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
    return cell


def _sheet(wb, title: str, columns, lines: Iterable) -> None:
    ws = wb.create_sheet(title)
    for col, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = _styled(ws, str(column.label), BOLD, HEADER_FILL)
        cell.alignment = HEADER_ALIGNMENT
        header.append(cell)
    ws.append(header)
    rows = 0
    for line in lines:
        ws.append([_cell(ws, line, column) for column in columns])
        rows += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(rows + 1, 1)}"


def _by_plan(report) -> Iterator[tuple[str, Iterable]]:
    """(plan code, its lines), one sheet each: every plan of the report in order, then any other plan met.

    A list is grouped whatever its order; an iterator (a streamed report) is read once, in the order it comes,
    which is the plans' order (lines of one plan are consecutive)."""
    if isinstance(report.lines, list):
        by_plan: dict[str, list] = {code: [] for code, _ in report.plans}
        for line in report.lines:
            by_plan.setdefault(line.plan, []).append(line)
        yield from by_plan.items()
        return
    lines = iter(report.lines)
    pending = next(lines, None)

    def of(code: str) -> Iterator:
        nonlocal pending
        while pending is not None and pending.plan == code:
            yield pending
            pending = next(lines, None)

    for code in chain((code for code, _ in report.plans), iter(lambda: pending and pending.plan, None)):
        yield code, of(code)


def render(report, progress: Callable[[int, int], None] | None = None) -> bytes:
    wb = Workbook(write_only=True)
    cover = _title(_("封面"), set())
    taken = {cover}
    names = dict(report.plans)
    total = len(report.plans) or 1
    for done, (code, lines) in enumerate(_by_plan(report), 1):
        _sheet(wb, _title(names.get(code, code), taken), report.columns, lines)
        if progress:
            progress(min(done, total), total)
    _cover(wb.create_sheet(cover), report)
    wb.move_sheet(cover, offset=-(len(wb.sheetnames) - 1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
