"""Which of an indicator's targets applies to a county (plain functions over plain values)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence


@dataclass(frozen=True)
class TargetSpec:
    """A target as plain values: deadline year (None = every year), value, and its scope."""

    year: int | None
    value: Decimal
    tier: int | None = None
    counties: frozenset[str] = frozenset()

    @property
    def general(self) -> bool:
        return self.tier is None and not self.counties


def targets_for(targets: Iterable[TargetSpec], county_code: str | None, tier: int | None) -> list[TargetSpec]:
    """The targets that apply to one county (or to the prefecture when ``county_code`` is None).

    A target naming counties applies to them only; a tier target to that tier's counties; a general target
    to everyone, unless a more specific target covers the same year for this county.
    """
    targets = list(targets)
    if county_code is None:
        return sorted((t for t in targets if t.general), key=_deadline)
    specific = [t for t in targets if (t.counties and county_code in t.counties) or
                (t.tier is not None and not t.counties and t.tier == tier)]
    specific_years = {t.year for t in specific}
    general = [t for t in targets if t.general and t.year not in specific_years]
    return sorted(specific + general, key=_deadline)


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
