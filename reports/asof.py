"""Progress and the final evaluation as they stood at a past moment, rebuilt from the audit trail.

The figures are taken from ``Figure.history`` (django-simple-history): for every figure, its last recorded state
at or before the moment; only those approved then count. The rows are then computed by the engine's own
functions (``engine.county_rows`` and ``engine.prefecture_rows``, which call ``rules.evaluate``; the final
evaluation by ``evaluation.county_judgements`` and ``prefecture_judgements``, which call ``rules.judge``), never
read from the stored Progress rows, so a figure approved after the moment cannot appear.

Reach: figures and the county attributes a target's condition reads (``places.models.county_facts(as_of=…)``, from
their own history). The catalogue (indicators, targets), the counties' tiers and the settings of the rule
(``PROGRESS_LAGGING_SHARE``, ``PROGRESS_BASE_YEAR``) are taken as they are now; a target corrected after the moment
judges the past figures by the corrected target. ``docs/reports.md`` says so to readers.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from assessment import engine, evaluation
from assessment.choices import PREFECTURE, ProgressStatus
from assessment.rules import Aggregate
from counties.choices import FigureStatus
from places.models import County, county_facts
from counties.models import Figure
from indicators.cycles import cycle_years
from indicators.models import Indicator


class Provenance(NamedTuple):
    """Who entered a figure (the first recorded change), who approved it and when."""

    entered_by: str
    approved_by: str
    approved_at: datetime | None


@dataclass
class Rebuilt:
    """Approved figures at the moment: (county id or None, indicator id) → [(year, value, numerator,
    denominator)], and their provenance by (county code or PREFECTURE, indicator id, year)."""

    figures: dict[tuple, list[tuple]] = field(default_factory=dict)
    provenance: dict[tuple, Provenance] = field(default_factory=dict)
    last_history_id: int = 0
    # The county attributes as recorded at the moment (county code → attribute → [(year, value)]).
    facts: dict = field(default_factory=dict)


def approved_at_moment(as_of: datetime) -> Rebuilt:
    """Every figure's last recorded state at or before ``as_of``; those approved then, with who did what."""
    from django.contrib.auth import get_user_model

    History = Figure.history.model
    records = (History.objects.filter(history_date__lte=as_of).order_by("id", "history_date", "history_id")
               .values_list("id", "history_id", "history_type", "history_user_id", "status", "county_id",
                            "indicator_id", "year", "value", "numerator", "denominator", "approved_by_id",
                            "approved_at").iterator(chunk_size=5000))
    first_user: dict[int, int | None] = {}
    last: dict[int, tuple] = {}
    top = 0
    for record in records:
        fid = record[0]
        top = max(top, record[1])
        first_user.setdefault(fid, record[3])
        last[fid] = record
    codes = dict(County.objects.values_list("id", "code"))
    kept = [r for r in last.values() if r[2] != "-" and r[4] == FigureStatus.APPROVED]
    users = dict(get_user_model().objects.filter(
        pk__in={first_user[r[0]] for r in kept} | {r[11] for r in kept}).values_list("pk", "username"))
    out = Rebuilt(last_history_id=top, facts=county_facts(as_of=as_of))
    for fid, _, _, _, _, county_id, ind_id, year, value, num, den, approver, approved_at in sorted(
            kept, key=lambda r: (r[5] or 0, r[6], r[7])):
        out.figures.setdefault((county_id, ind_id), []).append((year, value, num, den))
        area = codes.get(county_id, PREFECTURE) if county_id else PREFECTURE
        out.provenance[(area, ind_id, year)] = Provenance(users.get(first_user[fid], ""), users.get(approver, ""),
                                                          approved_at)
    return out


def progress_rows(rebuilt: Rebuilt, now: datetime) -> list[tuple]:
    """Every progress row (engine row tuples) from the rebuilt figures, as a full recompute would write them."""
    rule = engine.current_rule()
    indicators = engine.load_indicators()
    counties = list(County.objects.order_by("id").values_list("id", "code", "tier"))
    facts = rebuilt.facts
    rows: list[tuple] = []
    for ind in indicators:
        aggregates: dict[int, Aggregate] = defaultdict(Aggregate)
        achieved: Counter = Counter()
        for county_id, code, tier in counties:
            figures = rebuilt.figures.get((county_id, ind.id), [])
            for year, value, num, den in figures:
                aggregates[year].add(value, num, den)
            for row in engine.county_rows(ind, code, tier, figures, rule, now, facts.get(code, {})):
                rows.append(row)
                if row[11] == ProgressStatus.ACHIEVED:
                    achieved[row[2]] += 1
        own = {year: (value, num, den) for year, value, num, den in rebuilt.figures.get((None, ind.id), [])}
        rows.extend(engine.prefecture_rows(
            ind, {y: a for y, a in aggregates.items() if a.reported}, own,
            engine.scope_count(ind, counties, facts), rule, now,
            dict(achieved) if engine.counts_counties(ind.level, ind.rollup) else None))
    return rows


def evaluation_rows(rebuilt: Rebuilt, progress: list[tuple]) -> list[tuple]:
    """The final evaluation (area, indicator id, target year, target, Judgement) from the rebuilt figures and
    the rebuilt prefecture progress rows, as the engine derives it."""
    indicators = engine.load_indicators()
    cycles = {i: cycle_years(c) for i, c in Indicator.objects.values_list("id", "plan__cycle")}
    counties = list(County.objects.order_by("id").values_list("id", "code", "tier"))
    facts = rebuilt.facts
    prefecture: dict[int, list[tuple]] = defaultdict(list)
    for row in progress:
        if row[0] == PREFECTURE:
            prefecture[row[1]].append((row[2], row[3], row[8], row[9]))
    out: list[tuple] = []
    for ind in indicators:
        cycle = cycles.get(ind.id, ())
        for county_id, code, tier in counties:
            values = {y: v for y, v, _, _ in rebuilt.figures.get((county_id, ind.id), []) if v is not None}
            out.extend(evaluation.county_judgements(ind, code, tier, values, cycle, facts.get(code, {})))
        own = None
        if ind.rollup == "none":
            own = {y: v for y, v, _, _ in rebuilt.figures.get((None, ind.id), []) if v is not None}
        out.extend(evaluation.prefecture_judgements(ind, sorted(prefecture.get(ind.id, [])), own, cycle))
    return out
