"""Applying an upload: every row checked through the entry form's checks and the workflow rules of
``counties.services``, then all changed rows saved as drafts in one transaction — or none of them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from openpyxl.cell.cell import ERROR_CODES

from counties.errors import FigureError, Invalid, Locked, NotAllowed, Stale, WrongState
from places.models import County
from counties.models import Figure
from counties.services import check_draft, check_year, indicator_refusal, indicator_rule, save_draft, year_is_open
from counties.spreadsheet.cells import (_code_text, _date_input, _int_or_none, _is_blank, _milestone_input,
                                        _norm_text, _number_input, _text_input)
from counties.spreadsheet.layout import INPUT_KEYS, LABELS, TEXT_KEYS
from counties.spreadsheet.parse import ParsedUpload, SpreadsheetError, UploadRow, parse_upload
from counties.spreadsheet.report import CellError, Change, FieldChange, RowWarning, UploadReport
from counties.validation import check_text, check_values
from indicators.models import Indicator
from liangshan_edu.roles import is_clerk_of
from indicators.choices import Kind
from liangshan_edu.formats import plain


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
    if key == "value" and ind.kind == Kind.MILESTONE:
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
    if not is_clerk_of(user, county):
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
        self.user, self.county, self.year, self.report = user, county, year, report
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
        elif refused := indicator_refusal(ind):
            problem = refused.message, refused.code
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
        value = (_milestone_input if ind.kind == Kind.MILESTONE else _number_input)(cells.get("value"))
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
                                  "done_on": done_on if ind.kind == Kind.MILESTONE else None}
        for key in TEXT_KEYS:
            if key in cells:  # a file without the column leaves the text as it is
                new[key] = _text_input(cells[key])
                too_long = check_text(key, new[key])
                if too_long:
                    self.error(row, key, too_long.message, too_long.code, ind.code)
                    return None
        return new

    def plan(self, row: UploadRow, ind: Indicator, new: dict[str, object]) -> _Planned | None:
        """Compare with the stored figure, then apply the workflow rules (``services.check_draft``: state,
        locked year, staleness) to a row that changes something."""
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
        # The file's version: blank means there was no figure when the file was made; no column, no check.
        based_on = None
        if figure is not None and "version" in row.cells:
            based_on = 0 if _is_blank(row.cells["version"]) else _int_or_none(row.cells["version"])
        problems = check_draft(self.user, self.county, ind, self.year, figure, expected_version=based_on,
                               year_open=self.year_open)
        if problems:
            self.refuse(row, ind, figure, problems[0], diffs)
            return None
        fields = [FieldChange(k, LABELS[k], _show(ind, k, _current(figure, k) if figure else None),
                              _show(ind, k, new[k])) for k in diffs]
        return _Planned(row, ind, figure, new, fields)

    def refuse(self, row: UploadRow, ind: Indicator, figure: Figure | None, problem, diffs: list[str]) -> None:
        """Report a workflow problem on the cells it concerns, in the words of the upload page."""
        if problem.code == "wrong_state":
            for key in diffs:
                if not (key == "value" and ind.kind == Kind.RATE):  # a rate's value follows its parts
                    self.error(row, key, problem.message, problem.code, ind.code)
        elif problem.code == "stale":
            self.error(row, "version", _("该数据在您下载模板后已被他人修改（当前版本%(version)s，当前值%(value)s）。"
                                         "请重新下载模板后再填写。") % {
                "version": figure.version, "value": _show(ind, "value", figure.value)}, problem.code, ind.code)
        else:
            self.error(row, "code", problem.message, problem.code, ind.code)


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
                    value=None if current.indicator.kind == Kind.RATE else new["value"],
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
