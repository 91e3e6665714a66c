"""What several pages of the figure workflow share: the years offered, targets and values as text, status
labels, the navigation's context."""
from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from counties import services
from counties.audit import status_label
from counties.errors import Invalid
from indicators.models import Indicator
from indicators.describe import unit_suffix
from liangshan_edu.calendar import FIRST_YEAR
from indicators.choices import Kind
from liangshan_edu.formats import plain



def _check_year(year: int) -> None:
    try:
        services.check_year(year)
    except Invalid as exc:
        raise Http404(exc.message) from exc


def _years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def value_text(indicator: Indicator, value, numerator=None, denominator=None) -> str:
    if value is None:
        return "—"
    if indicator.kind == Kind.MILESTONE:
        return _("已完成") if value == 1 else _("未完成")
    text = f"{plain(value)}{unit_suffix(indicator)}"
    if indicator.kind == Kind.RATE and numerator is not None and denominator is not None:
        text = _("%(value)s（%(numerator)s/%(denominator)s）") % {
            "value": text, "numerator": plain(numerator), "denominator": plain(denominator)}
    return text


_status_label = status_label
