"""The .xlsx template of a county and year: a sheet per plan with styles, protection and data validation,
the instructions sheet and the hidden sheet saying whose template it is."""
from __future__ import annotations

import io
import re
from itertools import groupby

import openpyxl
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from places.models import County
from counties.services import EDITABLE, year_is_open
from counties.spreadsheet.layout import COLUMNS, FORMAT, INSTRUCTIONS_SHEET, META_SHEET
from counties.spreadsheet.template import TemplateLine, _line_values, template_lines
from indicators.models import Plan
from indicators.choices import Kind

TITLE_ROW, HEADER_ROW = 1, 2     # in the templates we write


def _editable_keys(line: TemplateLine, year_open: bool) -> set[str]:
    if not year_open or (line.figure is not None and line.figure.status not in EDITABLE):
        return set()
    kind = line.indicator.kind
    if kind == Kind.RATE:
        return {"numerator", "denominator", "evidence", "note"}
    if kind == Kind.MILESTONE:
        return {"value", "done_on", "evidence", "note"}
    return {"value", "evidence", "note"}


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
