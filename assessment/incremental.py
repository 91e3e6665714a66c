"""Recomputing after one approval (DESIGN §3): only what one figure affects — its county's row of that indicator
and the prefecture's — with the same rule and the same fast path as the full recompute (``assessment.engine``)."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessment.choices import PREFECTURE, ProgressStatus
from assessment.engine import (ACHIEVED, _as_row, _county_rows, _Plan, _scaled, current_rule, hold_lock,
                               prefecture_rows, write)
from assessment.models import Progress
from assessment.signals import progress_recomputed
from assessment.rules import Aggregate
from assessment.scope import IndicatorInfo, _scope, counts_counties, cycle_years
from counties.choices import FigureStatus
from counties.models import Figure
from indicators.choices import Rollup
from indicators.models import Indicator, Target
from indicators.targets import Condition, TargetSpec, selected_now, targets_for
from places.models import County, county_facts


def load_indicator(indicator_id: int, using: str = "default") -> IndicatorInfo | None:
    """One indicator as ``load_indicators`` gives it, in two queries (None if retired or missing)."""
    found = (Indicator.objects.using(using).filter(id=indicator_id, retired=False)
             .values_list("kind", "direction", "level", "rollup", "plan__cycle").first())
    if found is None:
        return None
    kind, direction, level, roll, cycle = found
    targets: dict[int, list] = {}
    for target_id, year, value, tier, code, period, period_from, upper, *condition in (
            Target.objects.using(using).filter(indicator_id=indicator_id).order_by("year", "tier", "id")
            .values_list("id", "year", "value", "tier", "counties__code", "period", "period_from", "upper_value",
                         "condition_attribute", "condition_operator", "condition_value", "condition_text")):
        spec = targets.setdefault(target_id, [year, value, tier, set(), Condition(*condition)
                                              if condition[0] else None, period, period_from, upper])
        if code is not None:
            spec[3].add(code)
    specs = [TargetSpec(year, value, tier, frozenset(codes), condition, period, period_from, upper)
             for year, value, tier, codes, condition, period, period_from, upper in targets.values()]
    return IndicatorInfo(indicator_id, kind, direction, level, roll,
                         cycle_years(cycle, settings.PROGRESS_BASE_YEAR), specs)


def _compute_for(indicator_id: int, county_id: int | None, using: str,
                 year: int | None = None) -> tuple[list[tuple], list[str]]:
    """The rows one approved figure affects, and the areas whose rows they replace.

    ``year``: the figure's year, when known. Then the prefecture roll-up re-adds the counties' figures of that
    year only and takes the other years' roll-up from the stored prefecture rows (their figures did not change).
    """
    rule, now = current_rule(), timezone.now()
    areas = [PREFECTURE]
    code = tier = None
    if county_id is not None:
        code, tier = County.objects.using(using).values_list("code", "tier").get(id=county_id)
        areas.append(code)
    ind = load_indicator(indicator_id, using)
    if ind is None:
        return [], areas  # a retired indicator has no progress
    approved = Figure.objects.using(using).filter(indicator_id=indicator_id, status=FigureStatus.APPROVED)
    rows: list[tuple] = []
    conditional = any(t.condition is not None for t in ind.targets)
    facts = county_facts(using) if conditional else {}
    if county_id is not None:
        plan = _Plan(ind)
        entries = plan.years_for(code, tier, facts.get(code, {}))
        if entries is not None:
            group = [(county_id, indicator_id, y, _scaled(v), _scaled(n), _scaled(d)) for y, v, n, d in
                     approved.filter(county_id=county_id).order_by("year")
                     .values_list("year", "value", "numerator", "denominator")]
            share = Decimal(rule.lagging_share).as_integer_ratio()
            rows.extend(_as_row(raw, now) for raw in _county_rows(plan, entries, code, group, rule, share))
    by_counties = counts_counties(ind.level, ind.rollup)
    if not by_counties and not targets_for(ind.targets, None, None):
        return rows, areas  # no prefecture-wide target: no prefecture rows
    aggregates, own, known = {}, {}, None
    if ind.rollup == Rollup.NONE:
        # Only the prefecture itself reports it: its own figures (county empty), found by their own index.
        own = {y: (v, n, d) for y, v, n, d in approved.filter(county__isnull=True)
               .values_list("year", "value", "numerator", "denominator")}
    elif by_counties:
        pass  # counted below, once the counties meeting their target are known
    else:
        known = _stored_prefecture(indicator_id, ind.years, year, using) if year is not None else None
        for a in county_rollup(indicator_id, using, year=year if known is not None else None):
            aggregates[a["year"]] = Aggregate(a["total"], a["num"] or Decimal(0), a["den"] or Decimal(0),
                                              a["paired"], a["done"], a["reported"])
    achieved = None
    if by_counties:
        # The other counties' stored rows, and this county's new ones.
        achieved = dict(counties_achieving(indicator_id, areas, using))
        for row in rows:
            if row[11] == ACHIEVED:
                achieved[row[2]] = achieved.get(row[2], 0) + 1
        aggregates = _reporting(indicator_id, ind.years, year, achieved, using)
    rows.extend(prefecture_rows(ind, aggregates, own, _scope_count_of(ind, using, facts), rule, now, achieved,
                                known))
    return rows, areas


def _reporting(indicator_id: int, years: list[int], year: int | None, achieved: dict[int, int],
               using: str) -> dict[int, Aggregate]:
    """For an ``all`` roll-up: which years any county reported (all the prefecture row needs of the figures).

    Counted for the figure's ``year`` only where the stored prefecture rows tell the other years: a stored
    value means some county reported or met it that year; none, that none did. Only a year where counties met
    it before and none does now is undecided by them: then every year is counted.
    """
    stored = _stored_prefecture(indicator_id, years, year, using) if year is not None else None
    if stored is not None and any(v and not achieved.get(y) for y, (v, _, _) in stored.items()):
        stored = None
    counted = counties_reporting(indicator_id, using, year=year if stored is not None else None)
    aggregates = {y: Aggregate(reported=n) for y, n in counted}
    for y, (value, _, _) in (stored or {}).items():
        if value is not None:
            aggregates[y] = Aggregate(reported=1)
    return aggregates


def _stored_prefecture(indicator_id: int, years: list[int], year: int, using: str) -> dict[int, tuple] | None:
    """The stored prefecture roll-up (value, numerator, denominator) of every year but ``year``; None when one
    is missing (never computed: then every year is rolled up afresh)."""
    stored = {y: (v, n, d) for y, v, n, d in Progress.objects.using(using)
              .filter(area=PREFECTURE, indicator_id=indicator_id)
              .values_list("year", "value", "numerator", "denominator")}
    others = [y for y in years if y != year]
    if any(y not in stored for y in others):
        return None
    return {y: stored[y] for y in others}


def county_rollup(indicator_id: int, using: str = "default", year: int | None = None):
    """The county figures' roll-up of one indicator, per year (or of one ``year``), in one pass (the
    prefecture's own figures are not part of it). Reads only the columns of the ``figure_rollup`` index: an
    index-only scan on PostgreSQL."""
    from django.db.models import Count, Sum

    county = Q(county__isnull=False, value__isnull=False)
    paired = county & Q(numerator__isnull=False, denominator__gt=0)
    figures = Figure.objects.using(using).filter(county, indicator_id=indicator_id, status=FigureStatus.APPROVED)
    if year is not None:
        figures = figures.filter(year=year)
    return (figures.values("year").order_by("year")
            .annotate(total=Sum("value"), num=Sum("numerator", filter=paired), den=Sum("denominator", filter=paired),
                      paired=Count("year", filter=paired), done=Count("year", filter=Q(value__gte=1)),
                      reported=Count("year")))


def counties_reporting(indicator_id: int, using: str = "default", year: int | None = None):
    """(year, how many counties have an approved value), of every year or one: an index-only count on
    PostgreSQL (``figure_rollup``)."""
    from django.db.models import Count

    figures = Figure.objects.using(using).filter(indicator_id=indicator_id, status=FigureStatus.APPROVED,
                                                 county__isnull=False, value__isnull=False)
    if year is not None:
        figures = figures.filter(year=year)
    return figures.values_list("year").annotate(n=Count("*")).order_by()


def counties_achieving(indicator_id: int, excluding: list[str], using: str = "default"):
    """(year, how many stored areas achieve the indicator), leaving out ``excluding``: an index-only count on
    PostgreSQL (``progress_indicator_status``)."""
    from django.db.models import Count

    return (Progress.objects.using(using).filter(indicator_id=indicator_id, status=ProgressStatus.ACHIEVED)
            .exclude(area__in=excluding).values_list("year").annotate(n=Count("*")).order_by())


def _scope_count_of(ind: IndicatorInfo, using: str, facts: dict | None = None) -> int:
    """``scope.scope_count`` counted in the database, without loading every county (the incremental path)."""
    if ind.rollup not in ("all", "sum"):
        return 0
    every, named, tiers = _scope(ind)
    counties = County.objects.using(using)
    if every:
        return counties.count()
    conditions = [t.condition for t in ind.targets if t.condition is not None]
    if conditions:
        named = named | {code for code, f in (facts or {}).items() if any(selected_now(c, f) for c in conditions)}
    return counties.filter(Q(code__in=named) | Q(tier__in=tiers)).count()


def compute_for(indicator_id: int, county_id: int | None, using: str = "default", *,
                year: int | None = None) -> list[tuple]:
    """The rows one approved figure affects: its county's rows and the prefecture's for that indicator."""
    return _compute_for(indicator_id, county_id, using, year)[0]


def recompute_for(indicator_id: int, county_id: int | None, using: str = "default", *,
                  year: int | None = None, then: Callable[[], None] | None = None) -> int:
    """Replace the rows one approved figure affects (its county's and the prefecture's), in one transaction.

    Two approvals of one indicator recomputed at once (two workers) would each count the other's county from
    rows not yet committed, and the later commit would leave a stale prefecture row: so each takes the
    indicator's lock before reading anything, and reads what the one before it committed.
    """
    with transaction.atomic(using=using):
        hold_lock(using, indicator_id)
        rows, areas = _compute_for(indicator_id, county_id, using, year)
        count = write(rows, using=using, replace=lambda: Progress.objects.using(using).filter(
            indicator_id=indicator_id, area__in=areas).delete())
        if then is not None:
            then()
        progress_recomputed.send(sender=Progress, rows=rows, indicator_id=indicator_id, using=using)
        return count
