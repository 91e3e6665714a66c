"""What the prefecture dashboard counts: the engine's per-area tallies, a fixed number of queries whatever the number
of counties and indicators (never one row per county × indicator, except the heat map's capped grid)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from assessment.choices import PREFECTURE, EvaluationResult, ProgressStatus
from assessment.models import AreaTally
from assessment.queries import progress_visible_to, tallies_visible_to

MET = (EvaluationResult.MET_ON_TIME, EvaluationResult.MET_LATE)


@dataclass
class AreaCounts:
    """One area's evaluation results (the cycle) and statuses (the year)."""

    results: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def targets(self) -> int:
        """Targets judged in the cycle (a target whose conditional scope is not determined yet left out)."""
        return sum(n for r, n in self.results.items() if r != EvaluationResult.NOT_DETERMINED)

    @property
    def met(self) -> int:
        return sum(self.results.get(r, 0) for r in MET)

    @property
    def met_share(self) -> float | None:
        return self.met / self.targets if self.targets else None

    @property
    def judged(self) -> int:
        """Indicators judged in the year (no data, not determined and not due left out)."""
        return sum(n for s, n in self.statuses.items() if s not in NOT_JUDGED)

    @property
    def off_track_share(self) -> float | None:
        return self.statuses.get(ProgressStatus.OFF_TRACK, 0) / self.judged if self.judged else None


NOT_JUDGED = frozenset({ProgressStatus.NO_DATA, ProgressStatus.NOT_DETERMINED, ProgressStatus.NOT_DUE})


def area_counts(user, *, cycle: str | None, year: int | None) -> dict[str, AreaCounts]:
    """Evaluation results of the cycle and progress statuses of the year, per area (the prefecture included), in
    one query of the tallies the engine keeps (``assessment.tallies``)."""
    out: dict[str, AreaCounts] = defaultdict(AreaCounts)
    wanted = Q(measure=AreaTally.Measure.RESULT, period=cycle or "")
    if year is not None:
        wanted |= Q(measure=AreaTally.Measure.STATUS, period=str(year))
    for measure, area, code, n in tallies_visible_to(user).filter(wanted).values_list("measure", "area", "code", "n"):
        counts = out[area].results if measure == AreaTally.Measure.RESULT else out[area].statuses
        counts[code] += n
    return out


def totals(counts: dict[str, AreaCounts]) -> AreaCounts:
    """The counties' counts added up (the prefecture's own roll-up rows left out)."""
    total = AreaCounts()
    for area, c in counts.items():
        if area == PREFECTURE:
            continue
        for r, n in c.results.items():
            total.results[r] += n
        for s, n in c.statuses.items():
            total.statuses[s] += n
    return total


def heat_rows(user, *, year: int, plan_code: str, areas: list[str]):
    """The heat map's cells for one year and plan, limited to ``areas``: (area, indicator code, indicator name,
    name_en, status, value, target, unit), in indicator order."""
    return (progress_visible_to(user).filter(year=year, indicator__plan__code=plan_code, area__in=areas)
            .order_by("indicator__order", "indicator__code", "area")
            .values_list("area", "indicator__code", "indicator__name", "indicator__name_en", "status", "value",
                         "target", "indicator__unit__code"))


def years_with_progress(user) -> list[int]:
    return sorted(int(p) for p in tallies_visible_to(user).filter(measure=AreaTally.Measure.STATUS)
                  .order_by().values_list("period", flat=True).distinct())
