"""The final evaluation (终期评估): which dated target each county, and the prefecture, met on time, late, or missed.

Derived like progress and in the same transaction as it (``services`` runs it after every full and incremental
recompute), never typed in. The rule is ``rules.judge``; this module only feeds it:

- a county is judged on the targets that apply to it (all counties, its tier, or a list naming it — the same
  ``engine.applicable_targets`` progress uses), from its approved figures of every year;
- the prefecture is judged on the prefecture roll-up of DESIGN §3 as the engine stored it in the prefecture's
  progress rows (ratio of summed numerators for rates, sums for counts, counties meeting their own target for
  每县… milestones), or on its own approved figures for prefecture-only indicators. The roll-up exists for the
  plan cycle's years, so a prefecture target can be met late only within its cycle.

Standing yearly rules (no deadline year) are judged over the years of the plan's cycle (2022–2025).
"""
from __future__ import annotations

import io
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Iterable, Iterator

from django.db import connections, transaction
from django.utils import timezone

from assessment import engine, incremental
from assessment.choices import PREFECTURE
from assessment.models import Evaluation, Progress
from assessment.rules import Judgement, judge, not_determined_judgement
from counties.choices import FigureStatus
from places.models import County
from counties.models import Figure
from indicators.cycles import cycle_years as cycle_span
from indicators.models import Indicator
from indicators.targets import Facts
from places.models import county_facts
from indicators.choices import Direction, Rollup

BATCH = 20_000
Row = tuple  # (area, indicator id, target year, target, Judgement)


def county_judgements(ind: engine.IndicatorInfo, code: str, tier: int | None, values: dict[int, Decimal],
                      cycle: tuple[int, ...], facts: Facts | None = None) -> Iterator[Row]:
    """One county's judgement on every target of ``ind`` that applies to it.

    A conditional target (a condition on a county attribute, ``facts``) is judged where its condition holds in
    the deadline year (a standing rule: the cycle's last year); where the attribute is not recorded for that
    year, the result is "not determined".
    """
    for spec in engine.applicable_targets(ind, code, tier):
        if spec.condition is not None:
            holds = spec.condition.holds(facts or {}, spec.year or (cycle[-1] if cycle else 9999))
            if holds is False:
                continue
            if holds is None:
                yield (code, ind.id, spec.year, spec.value, not_determined_judgement(values))
                continue
        yield (code, ind.id, spec.year, spec.value,
               judge(kind=ind.kind, direction=ind.direction, target=spec.value, target_year=spec.year,
                     values=values, cycle=cycle, period=engine.period_of(spec), upper=spec.upper))


def prefecture_judgements(ind: engine.IndicatorInfo, rows: Iterable[tuple], own: dict[int, Decimal] | None,
                          cycle: tuple[int, ...]) -> Iterator[Row]:
    """The prefecture's judgements from its stored progress rows (year, value, target, target year).

    The targets are those the progress rows were judged against (the prefecture-wide targets, a county-level
    sum's targets added up over the counties, or the number of counties for an ``all`` roll-up); ``own``: the
    prefecture's own approved figures, for indicators only the prefecture reports.
    """
    rows = list(rows)
    kind, direction = engine.judged_as(ind.kind, ind.direction, ind.level, ind.rollup, PREFECTURE)
    values = own if own is not None else {y: v for y, v, _, _ in rows if v is not None}
    # One judgement per deadline. A band's rows carry the bound each year's value was compared with (55 above
    # 45–55, 45 below), not two targets: its deadline is judged against the band's general target. Any other
    # indicator keeps its rows' target — for a county-level `all` roll-up that is the number of counties in scope,
    # not the per-county value.
    # (A band rolled up with `all` — TCH-02 安家补助 2—100万元 — is a count of counties at prefecture level: no band.)
    is_band = ind.direction == Direction.BETWEEN and not engine.counts_counties(ind.level, ind.rollup)
    band = {t.year: t.value for t in ind.targets if t.general} if is_band else {}
    targets: dict = {}
    for _, _, t, ty in rows:
        if t is not None:
            targets[ty] = band.get(ty, t)
    # A periodic standing rule (每2年1次) is judged per period, as its progress rows were.
    period = next((engine.period_of(t) for t in ind.targets if t.year is None and engine.period_of(t)), None)
    upper = {t.year: t.upper for t in ind.targets if t.general and t.upper is not None} if is_band else {}
    for target_year, target in sorted(targets.items(), key=lambda k: (k[0] is None, k[0] or 0)):
        yield (PREFECTURE, ind.id, target_year, target,
               judge(kind=kind, direction=direction, target=target,
                     target_year=target_year, values=values, cycle=cycle,
                     period=period if target_year is None else None, upper=upper.get(target_year)))


def _instance(row: Row) -> Evaluation:
    area, indicator_id, target_year, target, j = row
    return Evaluation(area=area, indicator_id=indicator_id, target_year=target_year, target=target,
                      value_at_deadline=j.value_at_deadline, met_year=j.met_year, result=j.result,
                      latest_value=j.latest_value, latest_year=j.latest_year, years_met=j.years_met,
                      years_reported=j.years_reported)


COLUMNS = ["area", "indicator_id", "target_year", "target", "value_at_deadline", "met_year", "result",
           "latest_value", "latest_year", "years_met", "years_reported", "computed_at"]


def _line(row: Row, now: str) -> str:
    area, indicator_id, target_year, target, j = row
    fields = (area, indicator_id, target_year, target, j.value_at_deadline, j.met_year, j.result, j.latest_value,
              j.latest_year, j.years_met, j.years_reported)
    return "\t".join(r"\N" if v is None else str(v) for v in fields) + f"\t{now}\n"


def _write(rows: Iterable[Row], using: str) -> int:
    """Insert the rows in batches: COPY on PostgreSQL (a full rewrite at national scale is ~10⁶ rows), bulk
    inserts elsewhere."""
    connection = connections[using]
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            count += _flush(batch, connection, using)
            batch = []
    if batch:
        count += _flush(batch, connection, using)
    return count


def _flush(batch: list[Row], connection, using: str) -> int:
    if connection.vendor == "postgresql":
        now = timezone.now().isoformat()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {Evaluation._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN",
                                      io.StringIO("".join(_line(row, now) for row in batch)))
    else:
        Evaluation.objects.using(using).bulk_create([_instance(row) for row in batch])
    return len(batch)


def _cycles(using: str) -> dict[int, tuple[int, ...]]:
    return {i: cycle_span(c) for i, c in Indicator.objects.using(using).values_list("id", "plan__cycle")}


def _prefecture_progress(using: str, indicator_id: int | None = None):
    rows = Progress.objects.using(using).filter(area=PREFECTURE)
    if indicator_id is not None:
        rows = rows.filter(indicator_id=indicator_id)
    return rows.order_by("indicator_id", "year").values_list("indicator_id", "year", "value", "target",
                                                             "target_year")


def _own_figures(using: str, indicator_id: int | None = None) -> dict[int, dict[int, Decimal]]:
    figures = Figure.objects.using(using).filter(county__isnull=True, status=FigureStatus.APPROVED,
                                                 value__isnull=False)
    if indicator_id is not None:
        figures = figures.filter(indicator_id=indicator_id)
    own: dict[int, dict[int, Decimal]] = {}
    for ind_id, year, value in figures.values_list("indicator_id", "year", "value"):
        own.setdefault(ind_id, {})[year] = value
    return own


def rewrite_all(using: str = "default") -> int:
    """Replace every evaluation row (call inside the recompute's transaction, after progress is written)."""
    with transaction.atomic(using=using):
        Evaluation.objects.using(using).all().delete()
        return _write(_all_rows(using), using)


def _all_rows(using: str) -> Iterator[Row]:
    indicators = engine.load_indicators(using=using)
    cycles = _cycles(using)
    counties = list(County.objects.using(using).order_by("id").values_list("id", "code", "tier"))
    facts = county_facts(using)
    figures = (Figure.objects.using(using).filter(status=FigureStatus.APPROVED, county__isnull=False,
                                                  value__isnull=False)
               .order_by("county_id", "indicator_id", "year")
               .values_list("county_id", "indicator_id", "year", "value").iterator(chunk_size=BATCH))
    groups = groupby(figures, key=itemgetter(0))
    group = next(groups, None)
    for county_id, code, tier in counties:
        values_of: dict[int, dict[int, Decimal]] = {}
        while group is not None and group[0] <= county_id:
            if group[0] == county_id:
                for _, ind_id, year, value in group[1]:
                    values_of.setdefault(ind_id, {})[year] = value
            group = next(groups, None)
        for ind in indicators:
            yield from county_judgements(ind, code, tier, values_of.get(ind.id, {}), cycles.get(ind.id, ()),
                                         facts.get(code, {}))
    by_indicator = {ind.id: ind for ind in indicators}
    own = _own_figures(using)
    for ind_id, rows in groupby(_prefecture_progress(using), key=itemgetter(0)):
        ind = by_indicator.get(ind_id)
        if ind is not None:
            yield from prefecture_judgements(ind, (r[1:] for r in rows),
                                             own.get(ind_id, {}) if ind.rollup == Rollup.NONE else None,
                                             cycles.get(ind_id, ()))


def rewrite_for(indicator_id: int, county_id: int | None, using: str = "default") -> int:
    """Replace the evaluation rows one approved figure affects: its county's and the prefecture's.

    Call inside the incremental recompute's transaction, after its progress rows are written.
    """
    areas = [PREFECTURE]
    code = tier = None
    if county_id is not None:
        code, tier = County.objects.using(using).values_list("code", "tier").get(id=county_id)
        areas.append(code)
    with transaction.atomic(using=using):
        Evaluation.objects.using(using).filter(indicator_id=indicator_id, area__in=areas).delete()
        ind = incremental.load_indicator(indicator_id, using)
        if ind is None:
            return 0  # a retired indicator is not evaluated
        cycle = cycle_span(Indicator.objects.using(using).values_list("plan__cycle", flat=True).get(id=indicator_id))
        rows: list[Row] = []
        if county_id is not None:
            values = dict(Figure.objects.using(using).filter(
                indicator_id=indicator_id, county_id=county_id, status=FigureStatus.APPROVED, value__isnull=False,
            ).values_list("year", "value"))
            facts = county_facts(using) if any(t.condition for t in ind.targets) else {}
            rows += county_judgements(ind, code, tier, values, cycle, facts.get(code, {}))
        own = _own_figures(using, indicator_id).get(indicator_id, {}) if ind.rollup == Rollup.NONE else None
        rows += prefecture_judgements(ind, (r[1:] for r in _prefecture_progress(using, indicator_id)), own, cycle)
        return _write(rows, using)


__all__ = ["Judgement", "cycle_span", "rewrite_all", "rewrite_for"]
