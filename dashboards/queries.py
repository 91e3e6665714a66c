"""Read helpers shared by the county and indicator pages: the year a page shows, evaluation results for people.

Every query here goes through the user-scoped querysets (``progress_visible_to``, ``evaluation_visible_to``,
``Figure.objects.visible_to``); the helpers only shape what those return.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessment.choices import EvaluationResult
from assessment.rules import meets
from dashboards.display import number


def chosen_year(raw: str | None, years: list[int], default: int | None) -> tuple[int | None, bool]:
    """The year the page shows and whether it is the default: ``?year=`` when it is a year with data, else the
    default year (latest year with approved figures), else the latest year with rows."""
    try:
        asked = int(raw) if raw else None
    except ValueError:
        asked = None
    if asked is not None and asked in years:
        return asked, asked == default
    if default is not None:
        return default, True
    return (years[-1] if years else None), False


@dataclass(frozen=True)
class ResultView:
    """One final-evaluation judgement as a pill: its result code (for the CSS class) and its text."""

    result: str
    text: str
    target_year: int | None
    target: Decimal

    @property
    def deadline(self) -> str:
        return str(self.target_year) if self.target_year else _("每年")


def result_view(*, result: str, met_year: int | None, latest_value: Decimal | None, latest_year: int | None,
                target: Decimal, target_year: int | None, years_met: int | None, years_reported: int | None,
                direction: str) -> ResultView:
    """The text of a judgement: 逾期达标 names the year it was met; 未填报 says where the latest figure stood
    (未填报（2024年已达标）); a standing yearly rule counts the years met out of those reported."""
    label = str(EvaluationResult(result).label)
    if target_year is None and years_reported:
        text = _("%(label)s（%(met)s/%(reported)s年达标）") % {
            "label": label, "met": years_met or 0, "reported": years_reported}
    elif result == EvaluationResult.MET_LATE and met_year:
        text = _("%(label)s（%(year)s年）") % {"label": label, "year": met_year}
    elif result == EvaluationResult.NO_DATA and latest_value is not None and latest_year:
        if meets(latest_value, target, direction):
            text = _("%(label)s（%(year)s年已达标）") % {"label": label, "year": latest_year}
        else:
            text = _("%(label)s（%(year)s年为%(value)s）") % {
                "label": label, "year": latest_year, "value": number(latest_value)}
    else:
        text = label
    return ResultView(result, text, target_year, target)


# The fields of an evaluation row ``result_view`` reads (a page's ``values()`` may read more).
RESULT_FIELDS = ("result", "met_year", "latest_value", "latest_year", "target", "target_year", "years_met",
                 "years_reported")


def evaluation_view(row: dict, direction: str) -> ResultView:
    """``result_view`` of an evaluation row read with ``values()``; ``direction`` as the area is judged
    (``assessment.scope.judged_as``)."""
    return result_view(**{k: row[k] for k in RESULT_FIELDS}, direction=direction)


def by_deadline(row: dict) -> tuple[bool, int]:
    """Rows with a target year in the order of their deadlines, standing yearly rules (no deadline) last."""
    return row["target_year"] is None, row["target_year"] or 0
