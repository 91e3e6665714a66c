"""What an indicator judges, and whom: the years of its cycle, which of its targets apply to an area (a tier,
named counties, a condition on a county's attributes, a period of several years), and how many counties a
roll-up counts.

The catalogue's targets say this in the plans' words (全州…, 每县…, 每2年1次, 人口在…以上的县); the engine
(``assessment.engine``), the incremental path and the pages read it here, so each rule has one home.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.conf import settings

from assessment.choices import PREFECTURE
from assessment.rules import Period
from indicators.choices import Level, Rollup
from indicators.cycles import cycle_end
from indicators.models import Indicator
from indicators.targets import Facts, TargetSpec, selected_now, targets_for


def cycle_years(cycle: str, base_year: int) -> list[int]:
    """The years progress is computed for: from the base year to the end of the plan's cycle ('2022-2025')."""
    end = cycle_end(cycle) or base_year + 4
    return list(range(min(base_year, end), end + 1))


@dataclass
class IndicatorInfo:
    """What the engine needs of an indicator, loaded once."""

    id: int
    kind: str
    direction: str
    level: str
    rollup: str
    years: list[int]
    targets: list[TargetSpec] = field(default_factory=list)


def counts_counties(level: str, rollup: str) -> bool:
    """A county-level indicator rolled up with ``all`` (每县…): the prefecture's value is how many counties meet
    their own target, judged against the number of counties in scope."""
    return level == Level.COUNTY and rollup == Rollup.ALL


def judged_as(kind: str, direction: str, level: str, rollup: str, area: str) -> tuple[str, str]:
    """The kind and direction an area's rows are judged in: the prefecture row of a ``counts_counties``
    indicator is a count of counties, so more is better whatever the indicator's own direction."""
    if area == PREFECTURE and counts_counties(level, rollup):
        return "count", "at_least"
    return kind, direction


def load_indicators(ids: Iterable[int] | None = None, using: str = "default") -> list[IndicatorInfo]:
    qs = (Indicator.objects.using(using).filter(retired=False).select_related("plan")
          .prefetch_related("targets__counties"))
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    base = settings.PROGRESS_BASE_YEAR
    out = []
    for ind in qs.order_by("id"):
        specs = [t.spec()
                 for t in ind.targets.all()]
        out.append(IndicatorInfo(ind.id, ind.kind, ind.direction, ind.level, ind.rollup,
                                 cycle_years(ind.plan.cycle, base), specs))
    return out


def applicable_targets(ind: IndicatorInfo, code: str, tier: int | None) -> list[TargetSpec]:
    """The targets that judge one county on an indicator (none: the county has no rows for it)."""
    if ind.level != Level.COUNTY:
        # Prefecture-wide targets (全州…) judge the prefecture; a county has rows only for a target naming it.
        return [t for t in targets_for(ind.targets, code, tier) if not t.general]
    return targets_for(ind.targets, code, tier)


def period_of(target: TargetSpec | None) -> Period | None:
    """The rule's period of a standing target judged every few years (每2年1次); None for yearly ones."""
    if target is None or target.period <= 1 or target.period_from is None:
        return None
    return Period(target.period, target.period_from)


def _scope(ind: IndicatorInfo) -> tuple[bool, set[str], set[int]]:
    """Which counties an indicator's roll-up waits for: every county (a general target), else the named
    counties and the tiers its targets name (and, see ``scope_count``, those a condition selects now)."""
    if any(t.general for t in ind.targets):
        return True, set(), set()
    named = set().union(*(t.counties for t in ind.targets)) if ind.targets else set()
    return False, named, {t.tier for t in ind.targets if t.tier is not None}


def scope_count(ind: IndicatorInfo, counties: list[tuple], facts: dict[str, Facts] | None = None) -> int:
    """How many of ``counties`` (id, code, tier) an ``all`` or ``sum`` roll-up counts. A conditional target
    counts the counties its condition selects on their latest recorded attribute values."""
    every, named, tiers = _scope(ind)
    if every:
        return len(counties)
    conditions = [t.condition for t in ind.targets if t.condition is not None]
    facts = facts or {}
    return sum(1 for _, code, tier in counties if code in named or tier in tiers
               or any(selected_now(c, facts.get(code, {})) for c in conditions))
