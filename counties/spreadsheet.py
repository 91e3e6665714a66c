"""The spreadsheet round-trip of a county's figures (填报模板).

A county downloads an .xlsx template for a year — the indicators it reports, units, the target that applies
to it, last year's approved value, its current figures, data validation in the cells — fills it in Excel or
WPS and uploads it (or a CSV with the same columns, through the API).

The upload is all-or-nothing. Every row is checked first, through the same checks and workflow rules as the
entry form (``counties.validation.check_values`` and the rules of ``counties.services``); any error rejects
the whole file with a per-row, per-cell report and changes nothing. A good file saves drafts through
``services.save_draft`` inside one transaction. A row equal to the stored figure is "unchanged", so the same
file uploaded twice changes nothing the second time.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import groupby
from typing import IO, Iterable, Iterator

import openpyxl
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from counties.choices import FigureStatus
from counties.errors import FigureError, Invalid, Locked, NotAllowed, Stale, WrongState
from counties.models import County, Figure
from counties.services import EDITABLE, check_year, indicator_rule, save_draft, year_is_open
from counties.validation import check_values
from indicators.choices import Tier
from indicators.models import Indicator, Plan, Target
from indicators.targets import TargetSpec, target_for_year, targets_for
from liangshan_edu.roles import can_read_all, county_of

INSTRUCTIONS_SHEET = "填表说明"
META_SHEET = "_meta"
FORMAT = "liangshan-edu/figures/1"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10          # the header row is found among the first rows (a title may precede it)
TITLE_ROW, HEADER_ROW = 1, 2     # in the templates we write
FOUR_PLACES = Decimal("0.0001")  # the precision figures are stored with


@dataclass(frozen=True)
class Column:
    """A column of the template. Headers are the file format: Chinese whatever the UI language."""

    key: str
    header: str
    width: float
    input: bool = False
    hint: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("code", "指标代码", 11),
    Column("name", "指标名称", 44),
    Column("unit", "单位", 8),
    Column("kind", "类型", 9),
    Column("target", "目标", 9),
    Column("target_note", "目标说明", 30),
    Column("last_year", "上年审核值", 11),
    Column("value", "数值", 11, True, "数量、数额指标填写数值；节点任务选“是”或“否”；比率指标不填，由分子、分母计算。"),
    Column("numerator", "分子", 11, True, "仅比率指标填写：不小于0的整数（人数、个数等）。"),
    Column("denominator", "分母", 11, True, "仅比率指标填写：大于0的整数。"),
    Column("done_on", "完成日期", 12, True, "仅节点任务填写：已完成的须填写完成日期，如2024-06-30。"),
    Column("evidence", "佐证材料", 26, True, "文件名称、文号或链接。"),
    Column("note", "备注", 26, True, "与上年相比变化较大等情况请在此说明。"),
    Column("status", "当前状态", 16),
    Column("version", "版本", 6),
    Column("task", "重点工作", 34),
)
# The CSV carries its county and year on every row (a CSV has no hidden sheet).
CSV_COLUMNS: tuple[Column, ...] = COLUMNS + (Column("county", "县市代码", 9), Column("year", "年度", 6))
INPUT_KEYS = ("value", "numerator", "denominator", "done_on", "evidence", "note")
TEXT_KEYS = ("evidence", "note")
LABELS = {c.key: c.header for c in CSV_COLUMNS}
_HEADERS = {**{c.header: c.key for c in CSV_COLUMNS}, **{c.key: c.key for c in CSV_COLUMNS},
            "完成时间": "done_on", "佐证资料": "evidence", "说明": "note", "indicator": "code"}

YES = {"是", "已完成", "完成", "y", "yes", "true", "√", "1"}
NO = {"否", "未完成", "n", "no", "false", "×", "0"}


class SpreadsheetError(Invalid):
    """The file cannot be read as a template (wrong type, corrupt, no header row)."""


# ---------------------------------------------------------------------------------------------- the template

@dataclass
class TemplateLine:
    """One indicator row of a county's template."""

    indicator: Indicator
    target: TargetSpec | None
    target_note: str
    last_year: Decimal | None
    figure: Figure | None


def reported_indicators():
    """The indicators a county reports: all but retired ones and those only the prefecture reports."""
    return (Indicator.objects.filter(retired=False).exclude(level="prefecture", rollup="none")
            .select_related("plan", "task", "unit")
            .prefetch_related(Prefetch("targets", queryset=Target.objects.prefetch_related("counties"))))


def template_lines(county: County, year: int, user=None) -> list[TemplateLine]:
    """The template's rows, grouped by plan and task. ``user`` scopes the figures shown (visible_to)."""
    figures = Figure.objects.visible_to(user) if user is not None else Figure.objects.all()
    current = {f.indicator_id: f for f in figures.filter(county=county, year=year)}
    last = dict(figures.filter(county=county, year=year - 1, status=FigureStatus.APPROVED)
                .values_list("indicator_id", "value"))
    indicators = sorted(reported_indicators(), key=lambda i: (
        i.plan.order, i.plan.code, i.task.number if i.task else 0, i.order, i.code))
    lines = []
    for ind in indicators:
        target, note = county_target(ind, county, year)
        lines.append(TemplateLine(ind, target, note, last.get(ind.id), current.get(ind.id)))
    return lines


def county_target(ind: Indicator, county: County, year: int) -> tuple[TargetSpec | None, str]:
    """The target governing ``year`` for this county, and a sentence describing it.

    A prefecture-level indicator's general target is the prefecture's total, not the county's: it is shown
    as such, never as the county's target (the progress engine judges it the same way).
    """
    specs = [TargetSpec(t.year, t.value, t.tier, frozenset(c.code for c in t.counties.all()))
             for t in ind.targets.all()]
    applicable = targets_for(specs, county.code, county.tier)
    if ind.level == "prefecture":
        applicable = [t for t in applicable if not t.general]
    target = target_for_year(applicable, year)
    if target is not None:
        return target, describe_target(ind, target)
    overall = target_for_year(targets_for(specs, None, None), year)
    if overall is not None:
        return None, _("全州目标：%(target)s；县（市）无单独目标") % {"target": describe_target(ind, overall)}
    return None, _("本县（市）无目标")


def describe_target(ind: Indicator, t: TargetSpec) -> str:
    when = _("%(year)s年") % {"year": t.year} if t.year else _("每年")
    if ind.kind == "milestone":
        text = _("%(when)s完成") % {"when": when}
    elif ind.direction == "zero":
        text = _("%(when)s清零") % {"when": when}
    else:
        text = _("%(direction)s%(value)s%(unit)s（%(when)s）") % {
            "direction": ind.get_direction_display(), "value": plain(t.value), "unit": ind.unit.code, "when": when}
    if t.counties:
        text += _("，指定县市目标")
    elif t.tier is not None:
        text += _("，%(tier)s目标") % {"tier": Tier(t.tier).label}
    return text


def _status_text(figure: Figure | None) -> str:
    if figure is None:
        return _("未填报")
    text = figure.get_status_display()
    if figure.status == FigureStatus.RETURNED and figure.return_reason:
        text += _("：%(reason)s") % {"reason": figure.return_reason}
    return text


def _editable_keys(line: TemplateLine, year_open: bool) -> set[str]:
    if not year_open or (line.figure is not None and line.figure.status not in EDITABLE):
        return set()
    kind = line.indicator.kind
    if kind == "rate":
        return {"numerator", "denominator", "evidence", "note"}
    if kind == "milestone":
        return {"value", "done_on", "evidence", "note"}
    return {"value", "evidence", "note"}


def _line_values(line: TemplateLine, *, for_csv: bool) -> dict[str, object]:
    """The cells of one row. Numbers stay numbers in the workbook; the CSV gets plain text."""
    ind, f = line.indicator, line.figure
    milestone = ind.kind == "milestone"

    def number(d: Decimal | None, *, yes_no: bool = False):
        if d is None:
            return None
        if yes_no:
            return ("1" if d == 1 else "0") if for_csv else ("是" if d == 1 else "否")
        if for_csv:
            return plain(d)
        return int(d) if d == d.to_integral_value() else float(d)

    values: dict[str, object] = {
        "code": ind.code,
        "name": ind.name,
        "unit": ind.unit.code,
        "kind": ind.get_kind_display(),
        "target": number(line.target.value, yes_no=milestone) if line.target else None,
        "target_note": line.target_note,
        "last_year": number(line.last_year, yes_no=milestone),
        "status": _status_text(f),
        "task": f"{ind.task.number}. {ind.task.title}" if ind.task else _("目标任务"),
    }
    if f is not None:
        values.update({
            # A rate's value is computed from its parts: the file never carries it as an input.
            "value": None if ind.kind == "rate" else number(f.value, yes_no=milestone),
            "numerator": number(f.numerator),
            "denominator": number(f.denominator),
            "done_on": (f.done_on.isoformat() if for_csv else f.done_on) if f.done_on else None,
            "evidence": f.evidence,
            "note": f.note,
            "version": str(f.version) if for_csv else f.version,
        })
    return values


_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_INPUT_HEADER_FILL = PatternFill("solid", fgColor="FFE699")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_CLOSED_FILL = PatternFill("solid", fgColor="EDEDED")
# Named styles: one assignment per cell (setting fill, border, protection one by one is slow in openpyxl).
_CELL, _WRAP, _INPUT, _INPUT_DATE, _CLOSED, _CLOSED_DATE = (
    "填报-只读", "填报-只读换行", "填报-填写", "填报-填写日期", "填报-不填", "填报-不填日期")


def _add_styles(wb) -> None:
    def style(name: str, *, locked: bool = True, fill: PatternFill | None = None, date_format: bool = False,
              wrap: bool = False) -> NamedStyle:
        st = NamedStyle(name=name, border=_BORDER, protection=Protection(locked=locked))
        if fill is not None:
            st.fill = fill
        if date_format:
            st.number_format = "yyyy-mm-dd"
        if wrap:
            st.alignment = Alignment(wrap_text=True, vertical="top")
        return st

    for st in (style(_CELL), style(_WRAP, wrap=True), style(_INPUT, locked=False, fill=_INPUT_FILL),
               style(_INPUT_DATE, locked=False, fill=_INPUT_FILL, date_format=True),
               style(_CLOSED, fill=_CLOSED_FILL), style(_CLOSED_DATE, fill=_CLOSED_FILL, date_format=True)):
        wb.add_named_style(st)


class _Validations:
    """The data validations of one sheet, created when first used (an empty one upsets Excel)."""

    SPECS = {
        "count": dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                      error="请填写不小于0的整数。", prompt="不小于0的整数"),
        "amount": dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                       error="请填写不小于0的数值（最多4位小数）。", prompt="不小于0的数值"),
        "milestone": dict(type="list", formula1='"是,否"', error="请选择“是”（已完成）或“否”（未完成）。",
                          prompt="是 / 否"),
        "numerator": dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                          error="分子须为不小于0的整数。", prompt="分子：整数"),
        "denominator": dict(type="whole", operator="greaterThanOrEqual", formula1="1",
                            error="分母须为大于0的整数。", prompt="分母：大于0的整数"),
        # Excel date serials of 2000-01-01 and 2099-12-31.
        "date": dict(type="date", operator="between", formula1="36526", formula2="73050",
                     error="请填写2000—2099年之间的日期，如2024-06-30。", prompt="日期，如2024-06-30"),
    }

    def __init__(self, ws) -> None:
        self.ws = ws
        self.made: dict[str, DataValidation] = {}

    def add(self, name: str, coordinate: str) -> None:
        dv = self.made.get(name)
        if dv is None:
            spec = dict(self.SPECS[name])
            prompt = spec.pop("prompt")
            dv = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                                errorTitle="输入有误", promptTitle="填写要求", prompt=prompt, **spec)
            self.ws.add_data_validation(dv)
            self.made[name] = dv
        dv.add(coordinate)


def _validation_name(kind: str, key: str) -> str | None:
    if key == "value":
        return {"count": "count", "amount": "amount", "milestone": "milestone"}.get(kind)
    return {"numerator": "numerator", "denominator": "denominator", "done_on": "date"}.get(key)


def _set_cell(c, value) -> None:
    c.value = value
    # Text that starts with '=' (a clerk's note) stays text: a template never carries formulas.
    if isinstance(value, str) and value.startswith("="):
        c.data_type = "s"


def _sheet_title(plan: Plan, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "", plan.short_name or plan.code)[:28] or plan.code[:28]
    base, n = title, 2
    while title in taken or title in (INSTRUCTIONS_SHEET, META_SHEET):
        title, n = f"{base}{n}", n + 1
    taken.add(title)
    return title


def _write_sheet(ws, county: County, year: int, plan: Plan, lines: list[TemplateLine], *, read_only: bool,
                 year_open: bool) -> None:
    last_col = get_column_letter(len(COLUMNS))
    title = _("%(county)s（%(code)s）%(year)s年度指标数据填报表 · %(plan)s") % {
        "county": county.name, "code": county.code, "year": year, "plan": plan.name}
    if read_only:
        title += _("（只读导出）")
    elif not year_open:
        title += _("（本年度已锁定）")
    ws.cell(TITLE_ROW, 1, title).font = Font(bold=True, size=13)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 24
    for i, col in enumerate(COLUMNS, 1):
        c = ws.cell(HEADER_ROW, i, col.header)
        c.font = Font(bold=True)
        c.fill = _INPUT_HEADER_FILL if col.input else _HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = _BORDER
        if col.hint:
            c.comment = Comment(col.hint, "填报系统", width=260, height=90)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    validations = _Validations(ws)
    row = HEADER_ROW
    for row, line in enumerate(lines, HEADER_ROW + 1):
        values = _line_values(line, for_csv=False)
        open_keys = set() if read_only else _editable_keys(line, year_open)
        for i, col in enumerate(COLUMNS, 1):
            c = ws.cell(row, i)
            _set_cell(c, values.get(col.key))
            if col.key in open_keys:
                c.style = _INPUT_DATE if col.key == "done_on" else _INPUT
                name = _validation_name(line.indicator.kind, col.key)
                if name:
                    validations.add(name, c.coordinate)
            elif col.input:
                c.style = _CLOSED_DATE if col.key == "done_on" else _CLOSED
            else:
                c.style = _WRAP if col.key == "name" else _CELL
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(row, HEADER_ROW + 1)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # all columns on one page width
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Protection keeps codes and read-only columns as they are; no password: the server checks everything
    # anyway, and a clerk who must unprotect the sheet (e.g. to sort it) may.
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _instructions(county: County, year: int, read_only: bool) -> list[str]:
    share = round(settings.PLAUSIBILITY_MAX_CHANGE_SHARE * 100)
    lines = [
        _("%(county)s（%(code)s）%(year)s年度指标数据填报模板") % {"county": county.name, "code": county.code,
                                                              "year": year},
        _("生成时间：%(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "",
        _("1. 本模板由系统生成，只能上传为%(county)s %(year)s年度的数据；上传到其他县市或年度会被拒绝。") % {
            "county": county.name, "year": year},
        _("2. 每个实施方案一个工作表，按重点工作排列。黄色单元格为填写区，灰色单元格不需填写；"
          "指标代码、目标等列已锁定。请勿修改表头、指标代码，也不要增删列。"),
        _("3. 比率指标：填写分子和分母（整数），比率由系统计算，“数值”不填。分子、分母口径见系统“指标目录”。"),
        _("4. 数量指标填写不小于0的整数；数额指标填写不小于0的数值，最多4位小数。"),
        _("5. 节点任务：“数值”选择“是”（已完成）或“否”（未完成）；已完成的须填写完成日期，如2024-06-30。"),
        _("6. “上年审核值”是%(last)s年已审核的数据，供核对。与上年相比变化超过%(share)s%%、或与其他县市差异很大的，"
          "请在“备注”中说明，否则不能提交审核。") % {"last": year - 1, "share": share},
        _("7. 已提交或已审核的数据不能通过上传修改（相应行已锁定）；如需更正，请联系州级管理员退回。"),
        _("8. 上传时系统先检查全部行：任何一行有错误，整个文件不作任何修改，并列出出错的工作表、行、列和原因；"
          "全部正确时保存为草稿，并列出新建和修改的数据。重复上传同一文件不会产生新的修改。"),
        _("9. 上传后的数据是草稿，请到填报页面核对后提交审核。"),
        _("10. 可用 Excel 或 WPS 填写，保存为 .xlsx 上传。也可把一个工作表另存为 CSV（UTF-8 或 GBK 编码）上传，"
          "此时只更新该表中的指标。"),
        _("11. 如在您下载模板后他人修改了同一数据，上传会被拒绝，请重新下载模板。"),
    ]
    if read_only:
        lines.insert(2, _("（只读导出：供查阅，不用于上传。）"))
    return lines


def _write_instructions(ws, county: County, year: int, read_only: bool) -> None:
    ws.column_dimensions["A"].width = 100
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for i, text in enumerate(_instructions(county, year, read_only), 1):
        c = ws.cell(i, 1, text)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            c.font = Font(bold=True, size=14)
    ws.protection.sheet = True


def _write_meta(ws, county: County, year: int) -> None:
    for i, (key, value) in enumerate([("county_code", county.code), ("year", year), ("format", FORMAT),
                                      ("county_name", county.name),
                                      ("generated_at", timezone.now().isoformat(timespec="seconds"))], 1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, value)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def build_template(county: County, year: int, *, user=None, read_only: bool = False) -> bytes:
    """The .xlsx template of a county and year (a read-only export when ``read_only``)."""
    with translation.override("zh-hans"):
        lines = template_lines(county, year, user)
        year_open = year_is_open(year, county)
        wb = openpyxl.Workbook()
        _add_styles(wb)
        _write_instructions(wb.active, county, year, read_only)
        wb.active.title = INSTRUCTIONS_SHEET
        taken: set[str] = set()
        for _plan_id, group in groupby(lines, key=lambda line: line.indicator.plan_id):
            plan_lines = list(group)
            plan = plan_lines[0].indicator.plan
            _write_sheet(wb.create_sheet(_sheet_title(plan, taken)), county, year, plan, plan_lines,
                         read_only=read_only, year_open=year_open)
        _write_meta(wb.create_sheet(META_SHEET), county, year)
        wb.properties.title = _("%(county)s %(year)s年度指标数据") % {"county": county.name, "year": year}
        wb.properties.creator = "liangshan-edu"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _csv_text(value) -> str:
    """A CSV cell. Text starting like a formula is prefixed with ' so spreadsheets show it as text."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not _looks_numeric(text):
        return "'" + text
    return text


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def build_template_csv(county: County, year: int, *, user=None) -> bytes:
    """The CSV variant (UTF-8 with BOM, so Excel opens it as UTF-8), one row per indicator."""
    with translation.override("zh-hans"):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.header for c in CSV_COLUMNS])
        for line in template_lines(county, year, user):
            values = _line_values(line, for_csv=True)
            values.update({"county": county.code, "year": str(year)})
            writer.writerow([_csv_text(values.get(c.key)) for c in CSV_COLUMNS])
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_filename(county: County, year: int, ext: str, *, read_only: bool = False) -> str:
    if read_only:
        return _("%(county)s_%(year)s年_指标数据.%(ext)s") % {"county": county.name, "year": year, "ext": ext}
    return _("%(county)s_%(year)s年_指标填报模板.%(ext)s") % {"county": county.name, "year": year, "ext": ext}


def readable_county(user, code: str | None) -> County | None:
    """The county with ``code`` if the user may read its figures (officials, auditors: any; a clerk: own)."""
    county = County.objects.filter(code=code).first() if code else None
    if county is None:
        return None
    if can_read_all(user):
        return county
    own = county_of(user)
    return county if own is not None and own.pk == county.pk else None


# ---------------------------------------------------------------------------------------------- reading a file

@dataclass
class UploadRow:
    """One non-blank row of an uploaded file, as the clerk sees it in Excel."""

    sheet: str
    number: int
    cells: dict[str, object]          # column key → raw value, for the columns the file has
    letters: dict[str, str]           # column key → column letter

    def coordinate(self, key: str) -> str:
        letter = self.letters.get(key)
        return f"{letter}{self.number}" if letter else ""


@dataclass
class ParsedUpload:
    """The rows of an uploaded file, and the county and year its template was made for (if it says)."""

    rows: list[UploadRow]
    county_code: str | None = None
    year: int | None = None

    def __iter__(self) -> Iterator[UploadRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _header_key(value) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", "", str(value)).strip("*＊").lstrip("\ufeff")
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)
    return _HEADERS.get(text) or _HEADERS.get(text.lower())


def _table_rows(numbered: Iterable[tuple[int, Iterable]], sheet: str) -> list[UploadRow] | None:
    """Rows under the header row (the first row with a 指标代码 column); None when there is no header."""
    columns: dict[int, str] | None = None
    rows: list[UploadRow] = []
    for number, raw in numbered:
        values = list(raw)
        if columns is None:
            if number > HEADER_SEARCH_ROWS:
                return None
            keys = [_header_key(v) for v in values]
            if "code" in keys:
                columns = {}
                for i, key in enumerate(keys):
                    if key and key not in columns.values():
                        columns[i] = key
            continue
        if all(_is_blank(v) for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise SpreadsheetError(_("文件行数过多（超过%(n)s行）。") % {"n": MAX_ROWS})
        cells = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        letters = {key: get_column_letter(i + 1) for i, key in columns.items()}
        rows.append(UploadRow(sheet, number, cells, letters))
    return rows if columns is not None else None


def _no_header() -> SpreadsheetError:
    return SpreadsheetError(_("文件中没有找到表头“指标代码”。请使用系统下载的模板，不要修改表头。"))


def _parse_xlsx(data: bytes) -> ParsedUpload:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # an uploaded file can be broken in any way openpyxl may complain about
        raise SpreadsheetError(_("无法读取该文件：不是有效的Excel（.xlsx）文件。")) from exc
    try:
        return _workbook_rows(wb)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_("无法读取该文件：不是有效的Excel（.xlsx）文件。")) from exc
    finally:
        wb.close()


def _workbook_rows(wb) -> ParsedUpload:
    county_code = year = None
    if META_SHEET in wb.sheetnames:
        meta = {str(r[0]): r[1] for r in wb[META_SHEET].iter_rows(max_col=2, values_only=True) if r[0]}
        county_code = _code_text(meta.get("county_code")) or None
        year = _int_or_none(meta.get("year"))
    rows: list[UploadRow] = []
    found = False
    for ws in wb.worksheets:
        if ws.title in (META_SHEET, INSTRUCTIONS_SHEET):
            continue
        ws.reset_dimensions()  # some writers record wrong dimensions; read every cell there is
        sheet_rows = _table_rows(enumerate(ws.iter_rows(values_only=True), 1), ws.title)
        if sheet_rows is not None:
            found = True
            rows.extend(sheet_rows)
            if len(rows) > MAX_ROWS:
                raise SpreadsheetError(_("文件行数过多（超过%(n)s行）。") % {"n": MAX_ROWS})
    if not found:
        raise _no_header()
    return ParsedUpload(rows, county_code, year)


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 as saved by Excel in China."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别文件编码，请保存为UTF-8或GBK编码的CSV文件。"))


def _parse_csv(data: bytes) -> ParsedUpload:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = _table_rows(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1), "")
    except csv.Error as exc:
        raise SpreadsheetError(_("无法读取该CSV文件：%(error)s") % {"error": exc}) from exc
    if rows is None:
        raise _no_header()
    return ParsedUpload(rows)


def parse_upload(fileobj: IO[bytes], filename: str) -> ParsedUpload:
    """Read an uploaded .xlsx or .csv into rows; SpreadsheetError when it cannot be read."""
    data = fileobj.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise SpreadsheetError(_("文件过大（超过%(mb)sMB）。") % {"mb": MAX_BYTES // (1024 * 1024)})
    name = (filename or "").lower()
    if data[:4] == b"\xd0\xcf\x11\xe0" or name.endswith(".xls"):
        raise SpreadsheetError(_("不支持旧版Excel（.xls）文件，请在Excel或WPS中“另存为”.xlsx格式后上传。"))
    if data[:2] == b"PK" or name.endswith((".xlsx", ".xlsm")):
        return _parse_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _parse_csv(data)
    raise SpreadsheetError(_("只支持 .xlsx 和 .csv 文件。"))


# ---------------------------------------------------------------------------------------------- cell values

def _code_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return "" if raw is None else str(raw).strip()


def _int_or_none(raw) -> int | None:
    try:
        return int(Decimal(str(raw).strip()))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _number_input(raw):
    """A number cell as check_values wants it. Binary float noise (0.30000000000000004) is rounded away at
    the precision figures are stored with; text is left for check_values to judge."""
    if isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, float):
        d = Decimal(repr(raw))
        if not d.is_finite():
            return repr(raw)
        return d.quantize(FOUR_PLACES) if d.as_tuple().exponent < -4 else d
    if isinstance(raw, (datetime, date)):
        return raw.isoformat()
    if isinstance(raw, str):
        return raw.strip()
    return raw


def _milestone_input(raw):
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in YES:
            return 1
        if text in NO:
            return 0
    return _number_input(raw)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date_input(raw) -> date | None:
    """A date cell: a real date, an Excel serial, or text such as 2024-06-30, 2024/6/30, 2024年6月30日.
    ValueError for anything else or outside 2000–2099."""
    if _is_blank(raw):
        return None
    if isinstance(raw, datetime):
        result = raw.date()
    elif isinstance(raw, date):
        result = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not 36526 <= raw <= 73050:
            raise ValueError(raw)
        result = from_excel(raw).date()
    else:
        text = re.split(r"[ T]", str(raw).strip(), maxsplit=1)[0]
        for fmt in _DATE_FORMATS:
            try:
                result = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(raw)
    if not 2000 <= result.year <= 2099:
        raise ValueError(raw)
    return result


def _text_input(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime):
        raw = raw.date()
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # the prefix our CSV export adds to formula-like text
    return text


def _norm_text(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def plain(d: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 85.0000 → 85, 3000.5000 → 3000.5."""
    return format(d.normalize(), "f")


# ---------------------------------------------------------------------------------------------- the report

@dataclass
class CellError:
    """One problem: where (sheet, Excel row, column header, cell) and what, in Chinese."""

    row: int | None
    column: str
    message: str
    sheet: str = ""
    cell: str = ""
    field: str = ""
    indicator: str = ""
    code: str = "invalid"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "cell": self.cell,
                "field": self.field, "indicator": self.indicator, "code": self.code, "message": self.message}


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Change:
    sheet: str
    row: int
    indicator: str
    name: str
    created: bool
    fields: list[FieldChange]

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "indicator": self.indicator, "name": self.name,
                "created": self.created,
                "fields": [{"field": f.field, "column": f.label, "old": f.old, "new": f.new} for f in self.fields]}


@dataclass
class RowWarning:
    sheet: str
    row: int
    indicator: str
    message: str


# Error codes that mean "not yours" (403) and "the figure or year is not open for this change" (409).
FORBIDDEN_CODES = {"not_allowed", "other_county"}
CONFLICT_CODES = {"locked", "stale", "wrong_state"}


@dataclass
class UploadReport:
    filename: str
    county: County | None
    year: int | None
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    blank: int = 0
    changes: list[Change] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        """The HTTP status of this outcome: 200, 403 (not yours), 409 (state/lock/stale only) or 400."""
        if not self.errors:
            return 200
        codes = {e.code for e in self.errors}
        if codes & FORBIDDEN_CODES:
            return 403
        if codes <= CONFLICT_CODES:
            return 409
        return 400

    @property
    def file_errors(self) -> list[CellError]:
        return [e for e in self.errors if e.row is None]

    @property
    def message(self) -> str:
        if self.ok:
            return _("已保存为草稿：新建%(created)s项，修改%(updated)s项，未变%(unchanged)s项。") % {
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if len(self.errors) == 1 and self.errors[0].row is None:
            return self.errors[0].message + _("未作任何修改。")
        rows = len({(e.sheet, e.row) for e in self.errors if e.row is not None})
        return _("文件中有%(rows)s行共%(n)s处错误，未作任何修改。请改正后重新上传整个文件。") % {
            "rows": rows, "n": len(self.errors)}

    def refuse(self, message: str, code: str) -> UploadReport:
        """A problem with the whole file (or the user): nothing is checked further, nothing changes."""
        self.errors.append(CellError(None, "", message, code=code))
        return self._nothing_changed()

    def _nothing_changed(self) -> UploadReport:
        self.created = self.updated = 0
        self.changes, self.warnings = [], []
        return self

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "message": self.message, "filename": self.filename,
            "county": self.county.code if self.county else None, "year": self.year,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "blank": self.blank,
            "changes": [c.as_dict() for c in self.changes],
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [{"sheet": w.sheet, "row": w.row, "indicator": w.indicator, "message": w.message}
                         for w in self.warnings],
        }


# ---------------------------------------------------------------------------------------------- applying it

@dataclass
class _Planned:
    row: UploadRow
    indicator: Indicator
    figure: Figure | None
    new: dict[str, object]
    fields: list[FieldChange]


def _show(ind: Indicator, key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key == "value" and ind.kind == "milestone":
        return "是" if value == 1 else "否"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _current(figure: Figure, key: str):
    value = getattr(figure, key)
    return _norm_text(value) if key in TEXT_KEYS else value


def _refuse_unless_clerk_of(user, county: County, report: UploadReport) -> bool:
    own = county_of(user)
    if own is None or own.pk != county.pk:
        report.refuse(_("只能上传本县（市）的数据。"), "not_allowed")
        return False
    return True


def _check_file_scope(county: County, year: int, parsed: ParsedUpload, report: UploadReport) -> bool:
    """The file's own county and year (hidden sheet of the template, or the CSV's columns) must match."""
    codes = {parsed.county_code} if parsed.county_code else set()
    codes |= {_code_text(r.cells["county"]) for r in parsed if not _is_blank(r.cells.get("county"))}
    others = sorted(c for c in codes if c != county.code)
    if others:
        other = County.objects.filter(code=others[0]).first()
        name = f"{other.name}（{other.code}）" if other else others[0]
        report.refuse(_("该文件是%(other)s的填报表，不能作为%(county)s的数据上传。") % {
            "other": name, "county": county.name}, "other_county")
        return False
    years = {parsed.year} if parsed.year else set()
    years |= {_int_or_none(r.cells["year"]) or r.cells["year"] for r in parsed if not _is_blank(r.cells.get("year"))}
    wrong = sorted(str(y) for y in years if y != year)
    if wrong:
        report.refuse(_("该文件是%(file)s年度的填报表，不能上传为%(year)s年度的数据。") % {
            "file": "、".join(wrong), "year": year}, "wrong_year")
        return False
    try:
        check_year(year)
    except Invalid as exc:
        report.refuse(exc.message, "invalid_year")
        return False
    return True


def _error_code(exc: FigureError) -> str:
    if isinstance(exc, NotAllowed):
        return "not_allowed"
    if isinstance(exc, Locked):
        return "locked"
    if isinstance(exc, Stale):
        return "stale"
    if isinstance(exc, WrongState):
        return "wrong_state"
    return "invalid"


def apply_upload(user, county: County, year: int, rows: ParsedUpload | Iterable[UploadRow],
                 filename: str) -> UploadReport:
    """Check every row, then save all changed rows as drafts in one transaction — or none of them.

    Returns the report; when it has errors nothing was changed.
    """
    report = UploadReport(filename, county, year)
    parsed = rows if isinstance(rows, ParsedUpload) else ParsedUpload(list(rows))
    if not _refuse_unless_clerk_of(user, county, report) or not _check_file_scope(county, year, parsed, report):
        return report
    checker = _RowChecker(user, county, year, parsed, report)
    planned = [p for p in map(checker.check, parsed) if p is not None]
    if report.errors:
        return report._nothing_changed()
    _save(user, county, year, filename, planned, report)
    return report


class _RowChecker:
    """Checks the rows of one upload against the catalogue, the checks of a figure and the workflow."""

    def __init__(self, user, county: County, year: int, parsed: ParsedUpload, report: UploadReport) -> None:
        self.user, self.year, self.report = user, year, report
        typed = {_code_text(r.cells.get("code")) for r in parsed}
        # Codes are matched whatever their case (a clerk may type cmp-40).
        self.indicators = {i.code.upper(): i for i in Indicator.objects.filter(
            code__in=typed | {c.upper() for c in typed}).select_related("unit")}
        self.figures = {f.indicator_id: f for f in Figure.objects.visible_to(user).filter(county=county, year=year)}
        self.year_open = year_is_open(year, county)
        self.seen: dict[str, UploadRow] = {}

    def error(self, row: UploadRow, key: str, message: str, code: str, indicator: str = "") -> None:
        self.report.errors.append(CellError(row.number, LABELS.get(key, ""), message, sheet=row.sheet,
                                            cell=row.coordinate(key), field=key, indicator=indicator, code=code))

    def check(self, row: UploadRow) -> _Planned | None:
        """The change this row asks for, or None (blank, unchanged, or an error was reported)."""
        ind = self.indicator(row)
        if ind is None:
            return None
        new = self.values(row, ind)
        if new is None:
            return None
        return self.plan(row, ind, new)

    def indicator(self, row: UploadRow) -> Indicator | None:
        code = _code_text(row.cells.get("code")).upper()
        if not code:
            if any(not _is_blank(row.cells.get(k)) for k in INPUT_KEYS):
                self.error(row, "code", _("缺少指标代码。"), "missing_code")
            return None
        ind = self.indicators.get(code)
        problem = None
        if ind is None:
            problem = _("指标代码“%(code)s”不存在。") % {"code": code}, "unknown_indicator"
        elif ind.retired:
            problem = _("指标%(code)s已停用。") % {"code": code}, "retired"
        elif ind.level == "prefecture" and ind.rollup == "none":
            problem = _("指标%(code)s由州级填报，县（市）不填。") % {"code": code}, "prefecture_only"
        elif ind.code in self.seen:
            first = self.seen[ind.code]
            where = (_("第%(row)s行") if first.sheet == row.sheet else _("“%(sheet)s”表第%(row)s行")) % {
                "row": first.number, "sheet": first.sheet}
            problem = _("指标%(code)s与%(where)s重复。") % {"code": code, "where": where}, "duplicate"
        if problem is not None:
            self.error(row, "code", problem[0], problem[1], code)
            return None
        self.seen[ind.code] = row
        return ind

    def values(self, row: UploadRow, ind: Indicator) -> dict[str, object] | None:
        """The row's values, through the same checks as the entry form; None after reporting an error."""
        cells = row.cells
        broken = [k for k in INPUT_KEYS if isinstance(cells.get(k), str) and cells[k].strip() in ERROR_CODES]
        for key in broken:
            self.error(row, key, _("单元格是错误值%(value)s，请检查公式或直接填写数值。") % {
                "value": cells[key].strip()}, "cell_error", ind.code)
        if broken:
            return None
        date_ok, done_on = True, None
        try:
            done_on = _date_input(cells.get("done_on"))
        except ValueError:
            date_ok = False
            self.error(row, "done_on", _("“%(raw)s”不是有效日期，请按2024-06-30的格式填写（2000—2099年）。") % {
                "raw": cells.get("done_on")}, "not_a_date", ind.code)
        value = (_milestone_input if ind.kind == "milestone" else _number_input)(cells.get("value"))
        checked = check_values(indicator_rule(ind), value=value, numerator=_number_input(cells.get("numerator")),
                               denominator=_number_input(cells.get("denominator")), done_on=done_on, year=self.year)
        for problem in checked.problems:
            if problem.field == "done_on" and not date_ok:
                continue  # already reported: the date itself could not be read
            self.error(row, problem.field if problem.field in INPUT_KEYS else "value", problem.message,
                       problem.code, ind.code)
        if not checked.ok or not date_ok:
            return None
        new: dict[str, object] = {"value": checked.value, "numerator": checked.numerator,
                                  "denominator": checked.denominator,
                                  "done_on": done_on if ind.kind == "milestone" else None}
        for key in TEXT_KEYS:
            if key in cells:  # a file without the column leaves the text as it is
                new[key] = _text_input(cells[key])
        return new

    def plan(self, row: UploadRow, ind: Indicator, new: dict[str, object]) -> _Planned | None:
        """Compare with the stored figure and apply the workflow rules: state, locked year, staleness."""
        figure = self.figures.get(ind.id)
        if figure is None:
            diffs = [k for k, v in new.items() if v is not None and v != ""]
            if not diffs:
                self.report.blank += 1
                return None
        else:
            diffs = [k for k, v in new.items() if _current(figure, k) != v]
            if not diffs:
                self.report.unchanged += 1
                return None
            if figure.status not in EDITABLE:
                message = _("该数据已%(status)s，不能通过上传修改；如需更正，请联系州级管理员退回。") % {
                    "status": figure.get_status_display()}
                for key in diffs:
                    if not (key == "value" and ind.kind == "rate"):  # a rate's value follows its parts
                        self.error(row, key, message, "wrong_state", ind.code)
                return None
        if not self.year_open:
            self.error(row, "code", _("%(year)s年度已锁定，如需修改请联系州级管理员重新开放。") % {"year": self.year},
                       "locked", ind.code)
            return None
        if figure is not None and "version" in row.cells and _stale(self.user, figure, row.cells["version"]):
            self.error(row, "version", _("该数据在您下载模板后已被他人修改（当前版本%(version)s，当前值%(value)s）。"
                                         "请重新下载模板后再填写。") % {
                "version": figure.version, "value": _show(ind, "value", figure.value)}, "stale", ind.code)
            return None
        fields = [FieldChange(k, LABELS[k], _show(ind, k, _current(figure, k) if figure else None),
                              _show(ind, k, new[k])) for k in diffs]
        return _Planned(row, ind, figure, new, fields)


def _stale(user, figure: Figure, file_version) -> bool:
    """The file was made from an older version that someone else has changed since (never merged).

    A blank version means there was no figure when the file was made. The clerk's own changes since (an
    earlier upload of the same file, edits on the web) do not count.
    """
    version = 0 if _is_blank(file_version) else _int_or_none(file_version)
    if version is None or version >= figure.version:
        return False
    return figure.history.filter(version__gt=version).exclude(history_user_id=user.pk).exists()


def _save(user, county: County, year: int, filename: str, planned: list[_Planned], report: UploadReport) -> None:
    from counties.services import recorded

    reason = recorded(N_("上传 %(file)s")) % {"file": filename}
    current: _Planned | None = None
    try:
        with transaction.atomic():
            for current in planned:
                new = current.new
                result = save_draft(
                    user, county, current.indicator, year,
                    value=None if current.indicator.kind == "rate" else new["value"],
                    numerator=new["numerator"], denominator=new["denominator"], done_on=new["done_on"],
                    evidence=new.get("evidence"), note=new.get("note"),
                    # 0 for a new figure: if someone created it meanwhile, save_draft refuses it as stale.
                    expected_version=current.figure.version if current.figure else 0, reason=reason)
                row = current.row
                if not result.changed:
                    report.unchanged += 1
                    continue
                if result.created:
                    report.created += 1
                else:
                    report.updated += 1
                report.changes.append(Change(row.sheet, row.number, current.indicator.code, current.indicator.name,
                                             result.created, current.fields))
                report.warnings.extend(RowWarning(row.sheet, row.number, current.indicator.code, w.message)
                                       for w in result.warnings)
    except FigureError as exc:
        row = current.row
        report.errors.append(CellError(row.number, LABELS["code"], exc.message, sheet=row.sheet,
                                       cell=row.coordinate("code"), field="code",
                                       indicator=current.indicator.code, code=_error_code(exc)))
        report._nothing_changed()


def upload_file(user, county: County, year: int, fileobj: IO[bytes], filename: str) -> UploadReport:
    """Parse and apply an uploaded file: what the page and the API call. Never raises for a bad file."""
    report = UploadReport(filename, county, year)
    if not _refuse_unless_clerk_of(user, county, report):
        return report
    try:
        parsed = parse_upload(fileobj, filename)
    except SpreadsheetError as exc:
        return report.refuse(exc.message, "unreadable")
    return apply_upload(user, county, year, parsed, filename)
