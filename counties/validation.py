"""The checks of a figure, as plain functions over plain values (no database, no HTTP).

``check_values`` gives the errors that block saving (type, range, numerator ≤ denominator, required
fields); ``plausibility`` gives warnings that do not block but need a note before submission (a change of
more than a configured share from last year; a value far from the other counties', by the modified z-score).
Forms, the API and spreadsheet uploads all call these through ``counties.services``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from statistics import median
from typing import Sequence

from django.utils.translation import gettext as _

from indicators.choices import Kind
from liangshan_edu.formats import plain

RATE_CEILING_GROSS = Decimal(200)  # a gross rate (毛入学率) may exceed 100 %, but not absurdly
# Figures are stored as DECIMAL(16, 4): more places would be rounded silently (and an unchanged input would
# then count as a change every time), a bigger number does not fit at all.
PLACES = Decimal("0.0001")
LIMIT = Decimal(10) ** 12


@dataclass(frozen=True)
class IndicatorRule:
    """What the checks need to know of an indicator."""

    code: str
    kind: str
    unit: str
    may_exceed_100: bool = False


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    code: str

    def __str__(self) -> str:
        return self.message


def to_decimal(raw, field: str, problems: list[Problem]) -> Decimal | None:
    """A number from user input ('', None → None); adds a problem for anything that is not a number."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        problems.append(Problem(field, _("“%(raw)s”不是数字。") % {"raw": raw}, "not_a_number"))
        return None
    if not value.is_finite():
        problems.append(Problem(field, _("“%(raw)s”不是有效数字。") % {"raw": raw}, "not_a_number"))
        return None
    if abs(value) >= LIMIT:
        problems.append(Problem(field, _("“%(raw)s”过大，请核对。") % {"raw": raw}, "too_large"))
        return None
    if value != value.quantize(PLACES):
        problems.append(Problem(field, _("“%(raw)s”的小数位数过多：最多4位小数。") % {"raw": raw}, "too_many_places"))
        return None
    return value


@dataclass
class CheckedValues:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


# The longest note, evidence or reason (characters) any path accepts: form, API, upload — the service checks it.
TEXT_MAX_LENGTH = 2000


def check_text(field: str, text: str | None) -> Problem | None:
    """A note, evidence or reason longer than ``TEXT_MAX_LENGTH`` is refused (nothing is cut silently)."""
    if text is not None and len(text) > TEXT_MAX_LENGTH:
        return Problem(field, _("文字过长：最多%(max)s字，现有%(n)s字。") % {"max": TEXT_MAX_LENGTH, "n": len(text)},
                       "too_long")
    return None


def rate_percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    """A rate in percent from its numerator and denominator, to the 4 places figures are stored with
    (92 means 92 %) — for one county's figure and for the prefecture's summed parts alike."""
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.0001"))


def check_values(rule: IndicatorRule, *, value=None, numerator=None, denominator=None, done_on=None,
                 year: int | None = None) -> CheckedValues:
    """Parse and check one figure's values. For a rate the value is derived from numerator and denominator.

    A milestone's completion date may not lie after the reporting year or in the future.
    """
    problems: list[Problem] = []
    num = to_decimal(numerator, "numerator", problems)
    den = to_decimal(denominator, "denominator", problems)
    val = to_decimal(value, "value", problems)
    if problems:
        return CheckedValues(None, None, None, problems)
    if rule.kind == Kind.RATE:
        return _check_rate(rule, num, den, val)
    if num is not None or den is not None:
        problems.append(Problem("numerator", _("该指标不是比率，不填分子和分母。"), "parts_not_allowed"))
    if val is None:
        return CheckedValues(None, None, None, problems)
    if rule.kind == Kind.MILESTONE:
        problems.extend(_check_milestone(val, done_on, year))
        return CheckedValues(val, None, None, problems)
    if val < 0:
        problems.append(Problem("value", _("数值不能为负数。"), "negative"))
    if rule.kind == Kind.COUNT and val != val.to_integral_value():
        problems.append(Problem("value", _("“%(unit)s”是计数单位，须填写整数。") % {"unit": rule.unit}, "not_integer"))
    return CheckedValues(val, None, None, problems)


def _check_rate(rule: IndicatorRule, num: Decimal | None, den: Decimal | None, val: Decimal | None) -> CheckedValues:
    """A rate is entered as whole numerator and denominator (people, schools), both or neither; the system
    derives the percentage, which may pass 100 % only for gross rates (毛入学率), up to ``RATE_CEILING_GROSS``."""
    problems: list[Problem] = []
    if num is None and den is None:
        if val is not None:
            problems.append(Problem("numerator", _("比率指标请填写分子和分母，比率由系统计算。"), "rate_needs_parts"))
        return CheckedValues(None, None, None, problems)
    if num is None or den is None:
        field = "numerator" if num is None else "denominator"
        problems.append(Problem(field, _("分子和分母须同时填写。"), "rate_needs_both"))
        return CheckedValues(None, num, den, problems)
    if num < 0:
        problems.append(Problem("numerator", _("分子不能为负数。"), "negative"))
    if den <= 0:
        problems.append(Problem("denominator", _("分母必须大于0。"), "denominator_not_positive"))
    for name, part in (("numerator", num), ("denominator", den)):
        if part != part.to_integral_value():
            problems.append(Problem(name, _("分子、分母是人数或个数，须为整数。"), "not_integer"))
    if problems:
        return CheckedValues(None, num, den, problems)
    derived = rate_percent(num, den)
    if not rule.may_exceed_100 and num > den:
        problems.append(Problem("numerator", _("分子（%(num)s）不能大于分母（%(den)s）：该比率不能超过100%%。")
                                % {"num": plain(num), "den": plain(den)}, "numerator_gt_denominator"))
    elif rule.may_exceed_100 and derived > RATE_CEILING_GROSS:
        problems.append(Problem("numerator", _("比率%(v)s%%过高，请核对分子和分母。") % {"v": plain(derived)},
                                "rate_too_high"))
    return CheckedValues(derived, num, den, problems)


def _check_milestone(val: Decimal, done_on, year: int | None) -> list[Problem]:
    """A milestone (节点任务) is done (1) or not (0); once done it needs its completion date, which may lie
    neither in the future nor after the reporting year."""
    if val not in (0, 1):
        return [Problem("value", _("节点任务只能填“已完成”（1）或“未完成”（0）。"), "milestone_value")]
    if val == 1 and not done_on:
        return [Problem("done_on", _("已完成的节点任务须填写完成日期。"), "milestone_needs_date")]
    if val == 1 and hasattr(done_on, "year"):
        from django.utils import timezone

        if done_on > timezone.localdate():
            return [Problem("done_on", _("完成日期不能晚于今天。"), "date_in_future")]
        if year is not None and done_on.year > year:
            return [Problem("done_on", _("完成日期（%(date)s）晚于填报年度%(year)s年。") % {
                "date": done_on.isoformat(), "year": year}, "date_after_year")]
    return []


def plausibility(value: Decimal | None, last_year: Decimal | None, others: Sequence[Decimal], *,
                 max_change_share: float, outlier_z: float, unit: str = "") -> list[Problem]:
    """Warnings (not errors): a large change from last year, or a robust outlier among the other counties."""
    warnings: list[Problem] = []
    if value is None:
        return warnings
    if last_year is not None and last_year != 0:
        change = abs(value - last_year) / abs(last_year)
        if change > Decimal(str(max_change_share)):
            warnings.append(Problem("value", _("与上年已审核值%(last)s相比变化%(pct)s%%，超过%(limit)s%%，请核实并填写说明。") % {
                "last": plain(last_year), "pct": plain((change * 100).quantize(Decimal(1))),
                "limit": plain(Decimal(str(max_change_share * 100)).quantize(Decimal(1)))}, "large_change"))
    z = modified_z(value, others)
    if z is not None and abs(z) > outlier_z:
        warnings.append(Problem("value", _("与其他县市差异很大（修正Z值%(z)s），请核实并填写说明。") % {
            "z": f"{z:.1f}"}, "outlier"))
    return warnings


def modified_z(value: Decimal, others: Sequence[Decimal]) -> float | None:
    """Iglewicz–Hoaglin modified z-score of ``value`` against ``others``; None when it cannot be judged."""
    data = [float(v) for v in others]
    if len(data) < 5:
        return None
    med = median(data)
    mad = median(abs(x - med) for x in data)
    if mad == 0:
        return None
    return 0.6745 * (float(value) - med) / mad




