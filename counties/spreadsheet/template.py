"""What a county's template holds: its rows, targets and cell values; the CSV variant; its file name; who may
download it. The .xlsx itself is written by ``counties.spreadsheet.workbook``."""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from counties.choices import FigureStatus
from places.models import County
from counties.models import Figure
from counties.reporting import load_catalogue
from counties.spreadsheet.layout import CSV_COLUMNS
from indicators.models import Indicator
from indicators.targets import TargetSpec, target_for_year, targets_for
from indicators.choices import Kind, Level
from indicators.describe import target_text
from liangshan_edu.formats import csv_cell, plain


@dataclass
class TemplateLine:
    """One indicator row of a county's template."""

    indicator: Indicator
    target: TargetSpec | None
    target_note: str
    last_year: Decimal | None
    figure: Figure | None


def template_lines(county: County, year: int, user=None) -> list[TemplateLine]:
    """The template's rows, grouped by plan and task: the indicators the county is asked for that year — the
    entry form's (``reporting.CatalogueEntry.applies_to``), so an indicator whose condition excludes the county
    (CMP-20 in a county under 300,000) has no row, and one whose condition cannot be decided yet is marked
    待确定 in its target note. ``user`` scopes the figures shown (visible_to)."""
    figures = Figure.objects.visible_to(user) if user is not None else Figure.objects.all()
    current = {f.indicator_id: f for f in figures.filter(county=county, year=year)}
    last = dict(figures.filter(county=county, year=year - 1, status=FigureStatus.APPROVED)
                .values_list("indicator_id", "value"))
    lines = []
    for entry in load_catalogue():
        if not entry.applies_to(county, year):
            continue
        ind = entry.indicator
        target, note = county_target(ind, county, year)
        if entry.not_determined(county, year):
            note = _("%(note)s（待确定：适用条件所需的县市属性尚未登记）") % {"note": note}
        lines.append(TemplateLine(ind, target, note, last.get(ind.id), current.get(ind.id)))
    return lines


def county_target(ind: Indicator, county: County, year: int) -> tuple[TargetSpec | None, str]:
    """The target governing ``year`` for this county, and a sentence describing it.

    A prefecture-level indicator's general target is the prefecture's total, not the county's: it is shown
    as such, never as the county's target (the progress engine judges it the same way).
    """
    specs = [t.spec()
             for t in ind.targets.all()]
    applicable = targets_for(specs, county.code, county.tier)
    if ind.level == Level.PREFECTURE:
        applicable = [t for t in applicable if not t.general]
    target = target_for_year(applicable, year)
    if target is not None:
        return target, target_text(ind, target)
    overall = target_for_year(targets_for(specs, None, None), year)
    if overall is not None:
        return None, _("全州目标：%(target)s；县（市）无单独目标") % {"target": target_text(ind, overall)}
    return None, _("本县（市）无目标")


def _status_text(figure: Figure | None) -> str:
    if figure is None:
        return _("未填报")
    text = figure.get_status_display()
    if figure.status == FigureStatus.RETURNED and figure.return_reason:
        text += _("：%(reason)s") % {"reason": figure.return_reason}
    return text


def _line_values(line: TemplateLine, *, for_csv: bool) -> dict[str, object]:
    """The cells of one row. Numbers stay numbers in the workbook; the CSV gets plain text."""
    ind, f = line.indicator, line.figure
    milestone = ind.kind == Kind.MILESTONE

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
            "value": None if ind.kind == Kind.RATE else number(f.value, yes_no=milestone),
            "numerator": number(f.numerator),
            "denominator": number(f.denominator),
            "done_on": (f.done_on.isoformat() if for_csv else f.done_on) if f.done_on else None,
            "evidence": f.evidence,
            "note": f.note,
            "version": str(f.version) if for_csv else f.version,
        })
    return values


def build_template_csv(county: County, year: int, *, user=None) -> bytes:
    """The CSV variant (UTF-8 with BOM, so Excel opens it as UTF-8), one row per indicator."""
    with translation.override("zh-hans"):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.header for c in CSV_COLUMNS])
        for line in template_lines(county, year, user):
            values = _line_values(line, for_csv=True)
            values.update({"county": county.code, "year": str(year)})
            writer.writerow([csv_cell(values.get(c.key)) for c in CSV_COLUMNS])
        return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_filename(county: County, year: int, ext: str, *, read_only: bool = False) -> str:
    if read_only:
        return _("%(county)s_%(year)s年_指标数据.%(ext)s") % {"county": county.name, "year": year, "ext": ext}
    return _("%(county)s_%(year)s年_指标填报模板.%(ext)s") % {"county": county.name, "year": year, "ext": ext}


def readable_county(user, code: str | None) -> County | None:
    """The county with ``code`` if the user may read its figures (officials, auditors: any; a clerk: own)."""
    return County.objects.visible_to(user).filter(code=code).first() if code else None
