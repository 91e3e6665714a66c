"""Planning cycles (规划周期): a plan belongs to one ('2022-2025'); the next cycle is added as data."""
from __future__ import annotations

from datetime import date

from indicators.models import Plan
from liangshan_edu.calendar import open_reporting_year


def cycle_years(cycle: str) -> tuple[int, ...]:
    """The years of a cycle: '2022-2025' → (2022, 2023, 2024, 2025); empty if it cannot be read."""
    try:
        start, end = (int(part) for part in cycle.split("-"))
    except ValueError:
        return ()
    return tuple(range(start, end + 1))


def cycle_end(cycle: str) -> int | None:
    """The last year of a cycle ('2022-2025' → 2025); None when it cannot be read."""
    years = cycle_years(cycle)
    if years:
        return years[-1]
    try:
        return int(cycle.split("-")[-1])
    except (ValueError, AttributeError):
        return None


def current_cycle(today: date | None = None) -> str | None:
    """The cycle being reported on: the one containing last year (counties report a year's figures during the
    following year), else the latest cycle that has ended, else the earliest. None without plans."""
    year = open_reporting_year(today)
    cycles = sorted(set(Plan.objects.values_list("cycle", flat=True)), key=lambda c: cycle_years(c) or (0,))
    for cycle in cycles:
        if year in cycle_years(cycle):
            return cycle
    ended = [c for c in cycles if cycle_years(c) and cycle_years(c)[-1] < year]
    return ended[-1] if ended else (cycles[0] if cycles else None)
