"""Recompute progress from approved figures and targets, streaming, atomically.

The rule itself lives in ``assessment.rules``; this module only feeds it: it streams approved figures in
(indicator, county, year) order, evaluates every county × indicator × year and the prefecture roll-up, and
replaces the stored rows in one transaction (a failure leaves the previous results in place). On PostgreSQL
rows are written with COPY in batches, so memory stays flat however many counties there are.
"""
from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from assessment.choices import PREFECTURE
from assessment.models import Progress
from assessment.rules import Aggregate, Outcome, Rule, evaluate, rollup
from counties.choices import FigureStatus
from counties.models import County, Figure
from indicators.models import Indicator
from indicators.targets import TargetSpec, target_for_year, targets_for

COLUMNS = ["area", "indicator_id", "year", "value", "numerator", "denominator", "baseline", "baseline_year",
           "target", "target_year", "expected", "status", "overdue", "projected", "will_meet", "gap",
           "computed_at"]
BATCH = 20_000


def current_rule() -> Rule:
    return Rule(lagging_share=Decimal(str(settings.PROGRESS_LAGGING_SHARE)), base_year=settings.PROGRESS_BASE_YEAR)


def cycle_years(cycle: str, base_year: int) -> list[int]:
    """The years progress is computed for: from the base year to the end of the plan's cycle ('2022-2025')."""
    try:
        end = int(cycle.split("-")[-1])
    except ValueError:
        end = base_year + 4
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


def load_indicators(ids: Iterable[int] | None = None, using: str = "default") -> list[IndicatorInfo]:
    qs = Indicator.objects.using(using).filter(retired=False).select_related("plan").prefetch_related("targets__counties")
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    base = settings.PROGRESS_BASE_YEAR
    out = []
    for ind in qs.order_by("id"):
        specs = [TargetSpec(t.year, t.value, t.tier, frozenset(c.code for c in t.counties.all()))
                 for t in ind.targets.all()]
        out.append(IndicatorInfo(ind.id, ind.kind, ind.direction, ind.level, ind.rollup,
                                 cycle_years(ind.plan.cycle, base), specs))
    return out


def _row(area: str, ind: IndicatorInfo, year: int, o: Outcome, num, den, now) -> tuple:
    return (area, ind.id, year, o.value, num, den, o.baseline, o.baseline_year, o.target, o.target_year,
            o.expected, o.status, o.overdue, o.projected, o.will_meet, o.gap, now)


def county_rows(ind: IndicatorInfo, code: str, tier: int, figures: list[tuple], rule: Rule, now) -> Iterator[tuple]:
    """Rows for one county and indicator. ``figures``: (year, value, numerator, denominator), approved."""
    if ind.level != "county":
        # Prefecture-wide targets (全州…) judge the prefecture; a county has rows only for a target naming it.
        applicable = [t for t in targets_for(ind.targets, code, tier) if not t.general]
    else:
        applicable = targets_for(ind.targets, code, tier)
    if not applicable:
        return
    values = {f[0]: f[1] for f in figures if f[1] is not None}
    parts = {f[0]: (f[2], f[3]) for f in figures}
    for year in ind.years:
        target = target_for_year(applicable, year)
        num, den = parts.get(year, (None, None))
        o = evaluate(kind=ind.kind, direction=ind.direction, year=year, values=values, target=target.value,
                     target_year=target.year, rule=rule, numerator=num, denominator=den)
        yield _row(code, ind, year, o, num, den, now)


def prefecture_rows(ind: IndicatorInfo, aggregates: dict[int, Aggregate], own: dict[int, tuple],
                    scope_count: int, rule: Rule, now) -> Iterator[tuple]:
    """Rows for the prefecture: the roll-up of county figures, or its own figures for prefecture-only ones."""
    applicable = targets_for(ind.targets, None, None)
    if not applicable:
        return
    series: dict[int, tuple] = {}
    for year in ind.years:
        if ind.rollup == "none":
            if year in own:
                series[year] = own[year]
        else:
            value, num, den = rollup(ind.rollup, aggregates.get(year, Aggregate()), scope_count)
            if value is not None:
                series[year] = (value, num, den)
    values = {y: v[0] for y, v in series.items()}
    for year in ind.years:
        target = target_for_year(applicable, year)
        _, num, den = series.get(year, (None, None, None))
        o = evaluate(kind=ind.kind, direction=ind.direction, year=year, values=values, target=target.value,
                     target_year=target.year, rule=rule, numerator=num, denominator=den)
        yield _row(PREFECTURE, ind, year, o, num, den, now)


def _scope_count(ind: IndicatorInfo, counties: list[tuple]) -> int:
    """How many counties an ``all`` roll-up waits for: the named counties, the tier, or every county."""
    general = [t for t in ind.targets if t.general]
    if general:
        return len(counties)
    named = set().union(*(t.counties for t in ind.targets)) if ind.targets else set()
    tiers = {t.tier for t in ind.targets if t.tier is not None}
    return sum(1 for _, code, tier in counties if code in named or tier in tiers)


def compute_all(progress: Callable[[int, int], None] | None = None, using: str = "default") -> Iterator[tuple]:
    """Every progress row, streamed in (indicator, county, year) order."""
    rule, now = current_rule(), timezone.now()
    indicators = load_indicators(using=using)
    counties = list(County.objects.using(using).order_by("id").values_list("id", "code", "tier"))
    figures = (
        Figure.objects.using(using).filter(status=FigureStatus.APPROVED, indicator__retired=False)
        .order_by("indicator_id", "county_id", "year")
        .values_list("indicator_id", "county_id", "year", "value", "numerator", "denominator")
        .iterator(chunk_size=BATCH)
    )
    pending = next(figures, None)
    total = len(indicators)
    for n, ind in enumerate(indicators, 1):
        # Skip figures of indicators not in the list (cannot happen for non-retired; kept for safety).
        while pending is not None and pending[0] < ind.id:
            pending = next(figures, None)
        own: dict[int, tuple] = {}
        while pending is not None and pending[0] == ind.id and pending[1] is None:
            own[pending[2]] = (pending[3], pending[4], pending[5])
            pending = next(figures, None)
        aggregates: dict[int, Aggregate] = defaultdict(Aggregate)
        for county_id, code, tier in counties:
            group = []
            while pending is not None and pending[0] == ind.id and pending[1] == county_id:
                group.append(pending[2:])
                aggregates[pending[2]].add(pending[3], pending[4], pending[5])
                pending = next(figures, None)
            yield from county_rows(ind, code, tier, group, rule, now)
        yield from prefecture_rows(ind, aggregates, own, _scope_count(ind, counties), rule, now)
        if progress:
            progress(n, total)


def compute_for(indicator_id: int, county_id: int | None) -> list[tuple]:
    """The rows one approved figure affects: its county's rows and the prefecture's for that indicator."""
    from django.db.models import Count, Q, Sum

    rule, now = current_rule(), timezone.now()
    [ind] = load_indicators([indicator_id])
    approved = Figure.objects.filter(indicator_id=indicator_id, status=FigureStatus.APPROVED)
    rows: list[tuple] = []
    if county_id is not None:
        code, tier = County.objects.values_list("code", "tier").get(id=county_id)
        group = list(approved.filter(county_id=county_id).order_by("year")
                     .values_list("year", "value", "numerator", "denominator"))
        rows.extend(county_rows(ind, code, tier, group, rule, now))
    paired = Q(numerator__isnull=False, denominator__gt=0)
    aggregates = {}
    for a in (approved.filter(county__isnull=False, value__isnull=False).values("year")
              .annotate(total=Sum("value"), num=Sum("numerator", filter=paired),
                        den=Sum("denominator", filter=paired), paired=Count("id", filter=paired),
                        done=Count("id", filter=Q(value__gte=1)), reported=Count("id"))):
        aggregates[a["year"]] = Aggregate(a["total"], a["num"] or Decimal(0), a["den"] or Decimal(0),
                                          a["paired"], a["done"], a["reported"])
    own = {y: (v, n, d) for y, v, n, d in approved.filter(county__isnull=True)
           .values_list("year", "value", "numerator", "denominator")}
    counties = list(County.objects.values_list("id", "code", "tier"))
    rows.extend(prefecture_rows(ind, aggregates, own, _scope_count(ind, counties), rule, now))
    return rows


def _literal(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def write(rows: Iterable[tuple], *, replace: Callable[[], None], using: str = "default") -> int:
    """Replace stored rows with ``rows`` in one transaction: ``replace`` deletes what they supersede."""
    count = 0
    with transaction.atomic(using=using):
        replace()
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                count += _insert(batch, using)
                batch = []
        if batch:
            count += _insert(batch, using)
    return count


def _insert(batch: list[tuple], using: str) -> int:
    connection = connections[using]
    if connection.vendor == "postgresql":
        buf = io.StringIO("".join("\t".join(_literal(v) for v in row) + "\n" for row in batch))
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {Progress._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN", buf)
    else:
        Progress.objects.using(using).bulk_create([Progress(**dict(zip(COLUMNS, row))) for row in batch], batch_size=500)
    return len(batch)
