"""Which of an indicator's targets applies to a county (plain functions over plain values)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

# A county's attribute values: attribute code → [(year, value)] in year order (``places.models.county_facts``).
Facts = Mapping[str, Sequence[tuple[int, Decimal]]]

OPERATORS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
}


def value_in_force(series: Sequence[tuple[int, Decimal]], year: int) -> Decimal | None:
    """The attribute value that holds in ``year``: the latest one recorded for that year or before (None: none
    recorded yet — a value recorded for a later year says nothing about earlier ones)."""
    found = None
    for y, value in series:
        if y > year:
            break
        found = value
    return found


@dataclass(frozen=True)
class Condition:
    """A target's scope as a condition on a county attribute, and the plan's own words for it
    (e.g. population gt 300000, "30万人口以上的县（市）")."""

    attribute: str
    operator: str
    value: Decimal
    text: str = ""

    def holds(self, facts: Facts, year: int) -> bool | None:
        """Whether the county the ``facts`` describe is in scope in ``year``; None while its attribute value is
        not known for that year (the target is then "not determined" there, never off track)."""
        value = value_in_force(facts.get(self.attribute, ()), year)
        if value is None:
            return None
        return OPERATORS[self.operator](value, self.value)


@dataclass(frozen=True)
class TargetSpec:
    """A target as plain values: deadline year (None = every year), value, and its scope."""

    year: int | None
    value: Decimal
    tier: int | None = None
    counties: frozenset[str] = frozenset()
    condition: Condition | None = None
    # A standing rule judged per period of ``period`` years, the first starting in ``period_from`` (每2年1次).
    period: int = 1
    period_from: int | None = None
    # The upper bound of a ``between`` target (``value`` is the lower one).
    upper: Decimal | None = None
    # The plan gives no deadline: ``year`` is the end of the cycle, assumed (shown so wherever the deadline is).
    assumed: bool = False

    @property
    def general(self) -> bool:
        return self.tier is None and not self.counties and self.condition is None


def targets_for(targets: Iterable[TargetSpec], county_code: str | None, tier: int | None) -> list[TargetSpec]:
    """The targets that apply to one county (or to the prefecture when ``county_code`` is None).

    A target naming counties applies to them only; a tier target to that tier's counties; a general target
    to everyone, unless a more specific target covers the same year for this county. A conditional target
    (a condition on a county attribute) is returned for every county and for the prefecture: whether it
    governs a county in a year is ``in_force``'s answer, year by year.
    """
    targets = list(targets)
    if county_code is None:
        return sorted((t for t in targets if t.general or _conditional_only(t)), key=_deadline)
    specific = [t for t in targets if (t.counties and county_code in t.counties) or
                (t.tier is not None and not t.counties and t.tier == tier)]
    specific_years = {t.year for t in specific}
    general = [t for t in targets if (t.general or _conditional_only(t)) and t.year not in specific_years]
    return sorted(specific + general, key=_deadline)


def _conditional_only(t: TargetSpec) -> bool:
    return t.condition is not None and t.tier is None and not t.counties


def in_force(applicable: Sequence[TargetSpec], facts: Facts | None, year: int) -> tuple[list[TargetSpec], bool]:
    """The targets of ``applicable`` (one county's) that govern ``year``: a conditional target only where its
    condition holds on the county's attribute value in force that year. Also whether some condition could not
    be decided (no value recorded yet).
    """
    kept: list[TargetSpec] = []
    unknown = False
    for t in applicable:
        if t.condition is None:
            kept.append(t)
            continue
        holds = t.condition.holds(facts or {}, year)
        if holds is None:
            unknown = True
        elif holds:
            kept.append(t)
    return kept, unknown


def in_scope(applicable: Sequence[TargetSpec], facts: Facts | None, year: int) -> bool | None:
    """Whether a county is asked for an indicator in ``year``, given the targets that apply to it
    (``targets_for``) and its attribute values: the one scope predicate of the entry form, the template, the
    upload, the API and completeness.

    True when some target governs the county that year; False when none applies to it or every condition
    excludes it (e.g. CMP-20 "30万人口以上的县（市）" in a county of 250,000); None while a condition cannot be
    decided (no attribute value recorded yet): the county is still asked — its figure is what will be judged once
    the value is recorded — and the form marks the indicator 待确定.
    """
    if not applicable:
        return False
    kept, unknown = in_force(applicable, facts, year)
    if kept:
        return True
    return None if unknown else False


def selected_now(condition: Condition, facts: Facts) -> bool:
    """Whether the condition holds on the latest recorded values (the counties the API lists "now")."""
    latest = {attribute: series[-1:] for attribute, series in facts.items()}
    return condition.holds(latest, 9999) is True


def target_for_year(applicable: Sequence[TargetSpec], year: int) -> TargetSpec | None:
    """The target that governs ``year``: the nearest deadline not yet passed (intermediate targets first);
    once every deadline has passed, the last one. A standing rule (year None) applies when nothing dated does.
    """
    dated = [t for t in applicable if t.year is not None]
    if dated:
        upcoming = [t for t in dated if t.year >= year]
        return upcoming[0] if upcoming else dated[-1]
    return applicable[0] if applicable else None


def _deadline(t: TargetSpec) -> tuple[int, int]:
    return (0, t.year) if t.year is not None else (1, 0)
