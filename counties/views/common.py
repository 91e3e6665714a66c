"""What several pages of the figure workflow share: the years offered, targets and values as text, status
labels, the navigation's context."""
from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from counties import services
from counties.choices import FigureStatus
from counties.errors import Invalid
from counties.forms import plain
from indicators.models import Indicator
from indicators.targets import TargetSpec
from liangshan_edu.calendar import FIRST_YEAR

DIRECTION_SIGNS = {"at_least": "≥", "at_most": "≤", "zero": "="}


def _check_year(year: int) -> None:
    try:
        services.check_year(year)
    except Invalid as exc:
        raise Http404(exc.message) from exc


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _unit_suffix(indicator: Indicator) -> str:
    code = indicator.unit.code
    return "" if code == "是/否" else code


def target_text(indicator: Indicator, spec: TargetSpec | None) -> str:
    """'≥ 92%（2025年）', '完成（2022年）', '= 0个（每年）'; the 全州 total is named as such."""
    if spec is None:
        return "—"
    if indicator.kind == "milestone":
        text = _("完成")
    else:
        text = f"{DIRECTION_SIGNS.get(indicator.direction, '')} {plain(spec.value)}{_unit_suffix(indicator)}"
    when = _("%(year)s年") % {"year": spec.year} if spec.year else _("每年")
    scope = _("，全州合计") if indicator.level == "prefecture" and spec.general else ""
    return _("%(target)s（%(when)s%(scope)s）") % {"target": text, "when": when, "scope": scope}


def value_text(indicator: Indicator, value, numerator=None, denominator=None) -> str:
    if value is None:
        return "—"
    if indicator.kind == "milestone":
        return _("已完成") if value == 1 else _("未完成")
    text = f"{plain(value)}{_unit_suffix(indicator)}"
    if indicator.kind == "rate" and numerator is not None and denominator is not None:
        text = _("%(value)s（%(numerator)s/%(denominator)s）") % {
            "value": text, "numerator": plain(numerator), "denominator": plain(denominator)}
    return text


def _status_label(status: str) -> str:
    return str(FigureStatus(status).label) if status in FigureStatus.values else status
