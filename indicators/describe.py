"""How a target is worded for people — one wording for the entry form, the review queue, the spreadsheet
template, the catalogue and the dashboards."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from django.utils.translation import gettext as _

from indicators.choices import Direction, Kind, Level
from liangshan_edu.formats import plain
from places.choices import Tier

if TYPE_CHECKING:
    from indicators.models import Indicator
    from indicators.targets import TargetSpec

DIRECTION_SIGNS = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤", Direction.ZERO: "="}


def unit_suffix(indicator: Indicator) -> str:
    """The unit written after a number ('%', '人'); none for yes/no milestones."""
    code = indicator.unit.code
    return "" if code == "是/否" else code


def target_scope(spec: TargetSpec, level: str, names: Sequence[str] = ()) -> str:
    """Whose target a spec is, as the plans say it: named counties (their ``names`` when given), a tier's, the
    prefecture total, every county's, or the counties a condition on an attribute selects (in the plan's words)."""
    if spec.condition is not None:
        return spec.condition.text
    if spec.counties:
        return "、".join(names) if names else _("指定县市")
    if spec.tier:
        return str(Tier(spec.tier).label)
    if level == Level.PREFECTURE:
        return _("全州合计")
    return _("各县市")


def target_text(indicator: Indicator, spec: TargetSpec | None) -> str:
    """'≥ 92%（2025年）', '完成（2022年）', '= 0个（每年）', '≥ 95%（2025年，二类区）', '≥ 3所（2025年，全州合计）'."""
    if spec is None:
        return "—"
    if indicator.kind == Kind.MILESTONE:
        text = _("完成")
    elif indicator.direction == Direction.BETWEEN and spec.upper is not None:
        text = f"{plain(spec.value)}—{plain(spec.upper)}{unit_suffix(indicator)}"
    else:
        text = f"{DIRECTION_SIGNS.get(indicator.direction, '')} {plain(spec.value)}{unit_suffix(indicator)}"
    when = _("%(year)s年") % {"year": spec.year} if spec.year else _("每年")
    if spec.general and indicator.level != Level.PREFECTURE:
        return _("%(target)s（%(when)s）") % {"target": text, "when": when}
    return _("%(target)s（%(when)s，%(scope)s）") % {
        "target": text, "when": when, "scope": target_scope(spec, indicator.level)}
