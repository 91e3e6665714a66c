"""Recompute progress from approved figures and targets, streaming, atomically.

The rule itself lives in ``assessment.rules``; this module only feeds it: it streams approved figures, evaluates
every county × indicator × year and the prefecture roll-up, and replaces the stored rows in one transaction (a
failure leaves the previous results in place). Memory stays flat however many counties there are: figures are
streamed county by county, and only the prefecture's running totals (indicators × years) are kept.

Every function takes ``using``, the database alias to read and write (``"default"`` unless a caller — the
benchmark, say — works on another database).

Speed (see docs/benchmark.md). County rows — nearly all rows — go through ``_county_rows``: the rule of
``rules.evaluate`` applied to a whole series at once in exact integer arithmetic on values scaled by 10⁴ (every
figure and target has four decimal places), with the least-squares sums kept running over the years. Wherever
that arithmetic meets an exact tie (a value halfway between two fourth decimals, or a projection exactly on the
target) it asks ``rules`` itself, so the rows written are identical to ``rules.evaluate``'s; tests pin the two
together. Prefecture rows (a few per indicator) use ``rules.evaluate`` directly. On PostgreSQL the full
recompute reads figures through a second connection that shares the writing transaction's snapshot, so one COPY
streams rows into the table while they are being computed: the database's work of storing rows overlaps ours.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from itertools import chain, groupby
from math import gcd
from operator import itemgetter
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from assessment.choices import PREFECTURE, ProgressStatus
from assessment.models import Progress
# Storing rows (COPY, locks, the columns) lives in ``assessment.storage``; its names are used here and re-exported.
from assessment.storage import (BATCH, COLUMNS, LOCK_EVERY, LOCK_INDICATOR, NULL, _CopyStream, _line,  # noqa: F401
                                _literal, hold_lock, write)
from assessment.rules import (FOUR_PLACES, Aggregate, Outcome, Rule, evaluate, expected_value, not_determined,
                              rollup, trend)
# Which targets judge whom, and in which years, lives in ``assessment.scope``; its names are used here and
# re-exported (the incremental path, the pages, reports and the tests read them as ``engine.…``).
from assessment.scope import (IndicatorInfo, _scope, applicable_targets, counts_counties,  # noqa: F401
                              cycle_years, judged_as, load_indicators, period_of, scope_count)
from counties.choices import FigureStatus
from places.models import County, county_facts
from counties.models import Figure
from indicators.targets import Facts, TargetSpec, in_force, target_for_year, targets_for
from indicators.choices import Direction, Kind, LOWER_IS_BETTER, Level, Rollup

log = logging.getLogger(__name__)
SCALE = 10_000  # values are numeric(…, 4): scaled by 10⁴ they are exact integers
# Beyond this (scaled) magnitude the exact-integer projection is not trusted to agree with Decimal's 28 digits.
_EXACT_LIMIT = 10 ** 18

ACHIEVED, ON_TRACK, LAGGING, OFF_TRACK, NO_DATA, NOT_DETERMINED = (
    ProgressStatus.ACHIEVED.value, ProgressStatus.ON_TRACK.value, ProgressStatus.LAGGING.value,
    ProgressStatus.OFF_TRACK.value, ProgressStatus.NO_DATA.value, ProgressStatus.NOT_DETERMINED.value)


def current_rule() -> Rule:
    return Rule(lagging_share=Decimal(str(settings.PROGRESS_LAGGING_SHARE)), base_year=settings.PROGRESS_BASE_YEAR)


def _row(area: str, ind: IndicatorInfo, year: int, o: Outcome, num, den, now) -> tuple:
    return (area, ind.id, year, o.value, num, den, o.baseline, o.baseline_year, o.target, o.target_year,
            o.expected, o.status, o.overdue, o.projected, o.will_meet, o.gap, now)


def county_rows(ind: IndicatorInfo, code: str, tier: int, figures: list[tuple], rule: Rule, now,
                facts: Facts | None = None) -> Iterator[tuple]:
    """Rows for one county and indicator, straight from ``rules.evaluate`` (the reference for ``_county_rows``).

    ``figures``: (year, value, numerator, denominator), approved. ``facts``: the county's attribute values, for
    targets whose scope is a condition on them (a year whose condition is not decided is "not determined"; a
    year it excludes the county from has no row).
    """
    applicable = applicable_targets(ind, code, tier)
    if not applicable:
        return
    values = {f[0]: f[1] for f in figures if f[1] is not None}
    parts = {f[0]: (f[2], f[3]) for f in figures}
    for year in ind.years:
        governing, unknown = in_force(applicable, facts, year)
        num, den = parts.get(year, (None, None))
        if not governing:
            if unknown:
                o = not_determined(year=year, values=values, rule=rule, numerator=num, denominator=den)
                yield _row(code, ind, year, o, num, den, now)
            continue
        target = target_for_year(governing, year)
        o = evaluate(kind=ind.kind, direction=ind.direction, year=year, values=values, target=target.value,
                     target_year=target.year, rule=rule, numerator=num, denominator=den, period=period_of(target),
                     upper=target.upper)
        yield _row(code, ind, year, o, num, den, now)


def prefecture_rows(ind: IndicatorInfo, aggregates: dict[int, Aggregate], own: dict[int, tuple],
                    scope_count: int, rule: Rule, now, achieved: dict[int, int] | None = None,
                    known: dict[int, tuple] | None = None) -> Iterator[tuple]:
    """Rows for the prefecture: the roll-up of county figures, or its own figures for prefecture-only ones.

    A county-level indicator whose roll-up is ``all`` (每县…, 每名教师…) is judged at prefecture level by how many
    of the counties in scope meet their own target (``achieved``, by year) against the number in scope; a
    county-level ``sum`` is compared with the sum of the counties' targets. ``known``: the roll-up's
    (value, numerator, denominator) of years whose figures did not change, as stored (the incremental path);
    ``aggregates`` then holds only the other years.
    """
    if counts_counties(ind.level, ind.rollup):
        yield from _counties_meeting_rows(ind, aggregates, scope_count, rule, now, achieved or {})
        return
    applicable = targets_for(ind.targets, None, None)
    if not applicable:
        return
    if ind.level == Level.COUNTY and ind.rollup == Rollup.SUM and ind.direction == Direction.AT_LEAST:
        applicable = [replace(t, value=t.value * scope_count) for t in applicable]
    series: dict[int, tuple] = {}
    for year in ind.years:
        if ind.rollup == Rollup.NONE:
            if year in own:
                series[year] = own[year]
        else:
            if known is not None and year in known:
                value, num, den = known[year]
            else:
                value, num, den = rollup(ind.rollup, aggregates.get(year, Aggregate()), scope_count)
            if value is not None:
                series[year] = (value, num, den)
    values = {y: v[0] for y, v in series.items() if v[0] is not None}
    for year in ind.years:
        target = target_for_year(applicable, year)
        _, num, den = series.get(year, (None, None, None))
        o = evaluate(kind=ind.kind, direction=ind.direction, year=year, values=values, target=target.value,
                     target_year=target.year, rule=rule, numerator=num, denominator=den, period=period_of(target),
                     upper=target.upper)
        yield _row(PREFECTURE, ind, year, o, num, den, now)


def _counties_meeting_rows(ind: IndicatorInfo, aggregates: dict[int, Aggregate], scope_count: int, rule: Rule,
                           now, achieved: dict[int, int]) -> Iterator[tuple]:
    """The prefecture row of an ``all`` roll-up: counties meeting their target, out of the counties in scope."""
    if not ind.targets or scope_count == 0:
        return
    years = sorted({t.year for t in ind.targets}, key=lambda y: (y is None, y or 0))
    applicable = [TargetSpec(y, Decimal(scope_count)) for y in years]
    values = {}
    for year in ind.years:
        met = achieved.get(year, 0)
        if met or aggregates.get(year, Aggregate()).reported:
            values[year] = Decimal(met)
    for year in ind.years:
        target = target_for_year(applicable, year)
        o = evaluate(kind="count", direction="at_least", year=year, values=values, target=target.value,
                     target_year=target.year, rule=rule)
        yield _row(PREFECTURE, ind, year, o, None, None, now)


# ------------------------------------------------------------------------------ the fast county path --


def _scaled(d: Decimal | None) -> int | None:
    return None if d is None else int(d.scaleb(4))


def _dec(q: int | None) -> Decimal | None:
    return None if q is None else Decimal(q).scaleb(-4)


def _div_half_even(p: int, q: int) -> tuple[int, bool]:
    """p / q (q > 0) rounded half to even, as ``Decimal.quantize`` rounds; and whether it was an exact tie."""
    n, r = divmod(p, q)
    twice = 2 * r
    if twice > q or (twice == q and n & 1):
        return n + 1, twice == q
    return n, twice == q


def _terminates(num: int, den: int) -> bool:
    """Whether num / den is a finite decimal (then Decimal computes it exactly, as we do)."""
    den //= gcd(num, den)
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    return den == 1


class _Plan:
    """An indicator's constants for ``_county_rows``, with each target scope's years worked out once."""

    __slots__ = ("ind", "id", "milestone", "rate", "at_most", "at_least", "named", "conditional", "periodic",
                 "_scopes")

    def __init__(self, ind: IndicatorInfo) -> None:
        self.ind, self.id = ind, ind.id
        self.milestone = ind.kind == Kind.MILESTONE
        self.rate = ind.kind == Kind.RATE
        self.at_most = ind.direction in LOWER_IS_BETTER
        self.at_least = ind.direction == Direction.AT_LEAST
        self.named = frozenset().union(*(t.counties for t in ind.targets)) if ind.targets else frozenset()
        self.conditional = any(t.condition is not None for t in ind.targets)
        # Periodic rules (每2年1次) and bands (``between``) are few: their rows come from the rule itself
        # (``_reference_rows``), not from the integer path.
        self.periodic = (any(period_of(t) is not None for t in ind.targets)
                         or ind.direction == Direction.BETWEEN)
        self._scopes: dict[tuple, list[tuple] | None] = {}

    def years_for(self, code: str, tier: int | None, facts: Facts | None = None) -> list[tuple] | None:
        """(year, target, target year, fixed expected value or None, the target's spec) for each year; None if no
        target applies.
        A year whose conditional scope is not decided has target None ("not determined"); a year a condition
        excludes the county from has no entry.

        Counties not named by any target and of the same tier share one answer (unless a condition on their
        attributes, ``facts``, tells them apart).
        """
        key = (code if code in self.named or self.conditional else None, tier)
        if not self.conditional:
            try:
                return self._scopes[key]
            except KeyError:
                pass
        applicable = applicable_targets(self.ind, code, tier)
        entries = None
        if applicable:
            entries = []
            for year in self.ind.years:
                governing, unknown = in_force(applicable, facts, year)
                if not governing:
                    if unknown:
                        entries.append((year, None, None, None, None))
                    continue
                t = target_for_year(governing, year)
                target = _scaled(t.value)
                if t.year is None:
                    fixed = target  # a standing rule: the target itself is expected every year
                elif self.milestone:
                    fixed = target if year >= t.year else 0
                else:
                    fixed = None  # the straight line from the county's own baseline
                entries.append((year, target, t.year, fixed, t))
            entries = entries or None
        if not self.conditional:
            self._scopes[key] = entries
        return entries


def _county_rows(plan: _Plan, entries: list[tuple], area: str, figures: list[tuple], rule: Rule,
                 share: tuple[int, int]) -> list[tuple]:
    """Rows for one county and indicator (scaled integers; see ``county_rows`` for the same in Decimals).

    ``figures``: (…, …, year, value, numerator, denominator) scaled by 10⁴, approved, in year order (the first
    two fields, county and indicator as the figure stream has them, are not read). Returns
    (area, indicator, year, value, numerator, denominator, baseline, baseline year, target, target year,
    expected, status, overdue, projected, will meet, gap) with numbers scaled by 10⁴.
    """
    values, parts = _approved_series(figures)
    if plan.periodic:
        return _reference_rows(plan, entries, area, values, parts, rule)
    base_year = rule.base_year if rule.base_year in values else (min(values) if values else None)
    baseline = values[base_year] if base_year is not None else None
    known = sorted(values)
    milestone = plan.milestone
    ind_id = plan.id
    rows = []
    trend_sums = _TrendSums()
    for year, target, target_year, fixed, _ in entries:
        trend_sums.take_up_to(year, known, values)
        num, den = parts.get(year, (None, None))
        value = values.get(year)
        if target is None:
            rows.append((area, ind_id, year, value, num, den, baseline, base_year, None, None, None,
                         NOT_DETERMINED, False, None, None, None))
            continue
        e_num, e_den = num, den
        if value is None and milestone and target_year is not None:
            value = trend_sums.latest  # a milestone once done stays done (a yearly one is judged year by year)
            e_num = e_den = None
        if value is None:
            rows.append((area, ind_id, year, None, num, den, baseline, base_year, target, target_year, None,
                         NO_DATA, False, None, None, None))
            continue
        met = value <= target if plan.at_most else value >= target
        gap = 0 if met else _gap(plan, target, value, e_num, e_den)
        projected = will_meet = None
        if not milestone and target_year is not None and trend_sums.n >= 2:
            projected, will_meet = trend_sums.projection(plan, target, target_year, known, values)
        expected = _expected(fixed, year, target, target_year, baseline, base_year)
        status, overdue = _status(plan, met, year, value, target_year, baseline, expected, share)
        rows.append((area, ind_id, year, value, num, den, baseline, base_year, target, target_year, expected,
                     status, overdue, projected, will_meet, gap))
    return rows


def _reference_rows(plan: _Plan, entries: list[tuple], area: str, values: dict[int, int], parts: dict[int, tuple],
                    rule: Rule) -> list[tuple]:
    """``_county_rows``'s rows computed by ``rules.evaluate`` itself (Decimals, then scaled back): for the few
    indicators whose rule the integer path does not follow (periodic standing rules)."""
    decimals = {y: _dec(v) for y, v in values.items()}
    ind = plan.ind
    rows = []
    for year, target, target_year, _fixed, spec in entries:
        num, den = (_dec(x) for x in parts.get(year, (None, None)))
        if target is None:
            o = not_determined(year=year, values=decimals, rule=rule, numerator=num, denominator=den)
        else:
            o = evaluate(kind=ind.kind, direction=ind.direction, year=year, values=decimals, target=_dec(target),
                         target_year=target_year, rule=rule, numerator=num, denominator=den,
                         period=period_of(spec), upper=spec.upper)
        rows.append((area, ind.id, year, _scaled(o.value), _scaled(num), _scaled(den), _scaled(o.baseline),
                     o.baseline_year, _scaled(o.target), o.target_year, _scaled(o.expected), o.status, o.overdue,
                     _scaled(o.projected), o.will_meet, _scaled(o.gap)))
    return rows


def _approved_series(figures: Iterable[tuple]) -> tuple[dict[int, int], dict[int, tuple]]:
    """A county's approved figures of one indicator: values by year (those with a value) and the
    (numerator, denominator) of every year."""
    values: dict[int, int] = {}
    parts: dict[int, tuple] = {}
    for _, _, year, value, num, den in figures:
        parts[year] = (num, den)
        if value is not None:
            values[year] = value
    return values, parts


class _TrendSums:
    """The least-squares sums over the approved years up to the current one (x = year − 2000), kept running
    as the years advance, and the latest approved value among them."""

    __slots__ = ("i", "n", "sx", "sy", "sxx", "sxy", "latest")

    def __init__(self) -> None:
        self.i = self.n = self.sx = self.sy = self.sxx = self.sxy = 0
        self.latest: int | None = None

    def take_up_to(self, year: int, known: list[int], values: dict[int, int]) -> None:
        while self.i < len(known) and known[self.i] <= year:
            x, y = known[self.i] - 2000, values[known[self.i]]
            self.n += 1
            self.sx += x
            self.sy += y
            self.sxx += x * x
            self.sxy += x * y
            self.latest = y
            self.i += 1

    def projection(self, plan: _Plan, target: int, target_year: int, known: list[int],
                   values: dict[int, int]) -> tuple[int, bool]:
        """The trend's value in the target year (scaled) and whether it meets the target."""
        n, sx, sy = self.n, self.sx, self.sy
        d = n * self.sxx - sx * sx
        slope = n * self.sxy - sx * sy
        p = sy * d + slope * (n * (target_year - 2000) - sx)
        q = n * d
        projected, tie = _div_half_even(p, q)
        goal = target * q
        if (tie or p == goal) and not (_terminates(sx, n) and _terminates(slope, d) and abs(sy) < _EXACT_LIMIT):
            # Exactly on a tie, and Decimal's 28 digits round somewhere on the way: ask the rule itself.
            exact = trend({y: _dec(values[y]) for y in known[:self.i]}, target_year)
            will_meet = exact <= _dec(target) if plan.at_most else exact >= _dec(target)
            return _scaled(exact.quantize(FOUR_PLACES)), will_meet
        return projected, (p <= goal if plan.at_most else p >= goal)


def _gap(plan: _Plan, target: int, value: int, num: int | None, den: int | None) -> int:
    """How far an unmet value is from the target (``rules.gap_in_units``), scaled."""
    if plan.rate and num is not None and den:
        # target × denominator / 100 − numerator, in people; scaled: (T·D − N·10⁶) / 10⁶
        return _div_half_even(abs(target * den - num * 1_000_000), 1_000_000)[0]
    return abs(target - value)


def _expected(fixed: int | None, year: int, target: int, target_year: int | None, baseline: int,
              base_year: int) -> int:
    """The expected value in ``year`` (``rules.expected_value``), scaled; ``fixed`` when the plan fixed it."""
    if fixed is not None:
        return fixed
    if year >= target_year or target_year <= base_year:
        return target
    if year <= base_year:
        return baseline
    span, step = target_year - base_year, year - base_year
    expected, tie = _div_half_even(baseline * span + (target - baseline) * step, span)
    if tie and not _terminates(step, span):
        expected = _scaled(expected_value(_dec(baseline), base_year, _dec(target), target_year, year)
                           .quantize(FOUR_PLACES))
    return expected


def _status(plan: _Plan, met: bool, year: int, value: int, target_year: int | None, baseline: int,
            expected: int, share: tuple[int, int]) -> tuple[str, bool]:
    """Status and overdue (``rules._status``) on scaled integers; ``share`` the lagging share as a ratio."""
    if met:
        return ACHIEVED, False
    if target_year is not None and year >= target_year:
        return OFF_TRACK, True
    if (plan.milestone and target_year is not None) or (value <= expected if plan.at_most else value >= expected):
        return ON_TRACK, False
    start = baseline if target_year is not None else 0
    if plan.at_least:
        needed, made = expected - start, value - start
    else:
        needed, made = start - expected, start - value
    share_num, share_den = share
    return (LAGGING if needed > 0 and made * share_den >= share_num * needed else OFF_TRACK), False


_DECIMAL_AT = (3, 4, 5, 6, 8, 10, 13, 15)  # positions of scaled numbers in a ``_county_rows`` row


def _as_row(raw: tuple, now) -> tuple:
    """A ``_county_rows`` row in the engine's row form (Decimals, ``computed_at``)."""
    row = list(raw)
    for k in _DECIMAL_AT:
        row[k] = _dec(row[k])
    row.append(now)
    return tuple(row)


# A ``_county_rows`` row as a line of COPY text. Scaled numbers are written ``<integer>e-4``, which PostgreSQL
# reads exactly (851234e-4 = 85.1234); booleans as True/False. ``None`` is printed, then replaced by \N for the
# whole chunk at once: no other field can contain the text "None" (numbers, years, statuses), and a county
# code that did is formatted field by field instead.
_LINE = "\t".join(["%s", "%s", "%s", "%se-4", "%se-4", "%se-4", "%se-4", "%s", "%se-4", "%s", "%se-4", "%s", "%s",
                   "%se-4", "%s", "%se-4"])


def _as_lines(raws: list[tuple], tail: str) -> str:
    """One county's ``_county_rows`` rows as COPY text (``tail``: the computed_at column and the newline)."""
    if raws and "None" in raws[0][0]:
        return "".join("\t".join(_literal(v) for v in _as_row(raw, None)[:-1]) + tail for raw in raws)
    fmt = _LINE + tail
    return "".join([fmt % raw for raw in raws]).replace("Nonee-4", NULL).replace("None", NULL)


# ------------------------------------------------------------------------------------ full recompute --

# Scaled integers straight from the server, in the order of the unique index (county, indicator, year): no sort.
_FIGURES_SQL = (
    "SELECT county_id, indicator_id, year, (value * 10000)::bigint, (numerator * 10000)::bigint, "
    "(denominator * 10000)::bigint FROM counties_figure WHERE status = %s ORDER BY county_id, indicator_id, year"
)


def _figures(using: str, cursor=None) -> tuple[Iterator[tuple], Callable[[], None]]:
    """Approved figures as (county, indicator, year, value, numerator, denominator), scaled by 10⁴, streamed
    in (county, indicator, year) order (the prefecture's own, county None, first or last); and a function
    that releases the cursor.

    ``cursor``: a server-side cursor to read them with (PostgreSQL); by default one of ``using``.
    """
    connection = connections[using]
    if cursor is None and connection.vendor != "postgresql":
        rows = (Figure.objects.using(using).filter(status=FigureStatus.APPROVED)
                .order_by("county_id", "indicator_id", "year")
                .values_list("county_id", "indicator_id", "year", "value", "numerator", "denominator")
                .iterator(chunk_size=BATCH))
        return ((c, i, y, _scaled(v), _scaled(n), _scaled(d)) for c, i, y, v, n, d in rows), lambda: None
    cursor = cursor if cursor is not None else connection.chunked_cursor()
    cursor.execute(_FIGURES_SQL, [FigureStatus.APPROVED])
    return chain.from_iterable(iter(lambda: cursor.fetchmany(BATCH), [])), cursor.close


def _compute(using: str, emit: Callable[[list], object], emit_rows: Callable[[list], object],
             progress: Callable[[int, int], None] | None, figures_cursor=None) -> Iterator:
    """Every progress row, a batch at a time: ``emit`` turns one county's fast-path rows (``_county_rows``)
    into the output form, ``emit_rows`` a list of Decimal rows (the prefecture's). Figures are read with
    ``figures_cursor`` if given, else from ``using``.

    Indicators and counties are read at once, the figures only as the batches are consumed.
    """
    rule, now = current_rule(), timezone.now()
    indicators = load_indicators(using=using)
    counties = list(County.objects.using(using).order_by("id").values_list("id", "code", "tier"))
    facts = county_facts(using)
    return _batches(using, rule, now, indicators, counties, facts, emit, emit_rows, progress, figures_cursor)


_COUNTY, _INDICATOR = itemgetter(0), itemgetter(1)


def _batches(using, rule, now, indicators, counties, facts, emit, emit_rows, progress, figures_cursor) -> Iterator:
    share = Decimal(rule.lagging_share).as_integer_ratio()
    plans = [_Plan(ind) for ind in indicators]
    # The prefecture's running totals per indicator and year: [total, Σnum, Σden, paired, done, reported].
    totals: dict[int, dict[int, list[int]]] = {ind.id: {} for ind in indicators}
    own: dict[int, dict[int, tuple]] = {ind.id: {} for ind in indicators}
    # Counties meeting their own target, per indicator and year, for the ``all`` roll-ups.
    met: dict[int, dict[int, int]] = {ind.id: {} for ind in indicators
                                      if counts_counties(ind.level, ind.rollup)}
    figures, release = _figures(using, figures_cursor)
    try:
        groups = groupby(figures, key=_COUNTY)
        group = next(groups, None)
        steps = len(counties) + 1
        for done, (county_id, code, tier) in enumerate(counties, 1):
            series_of: dict[int, list[tuple]] = {}
            # The prefecture's own figures (county None) come first on SQLite, last on PostgreSQL.
            while group is not None and (group[0] is None or group[0] <= county_id):
                key, members = group
                if key is None:
                    _keep_own(own, members)
                elif key == county_id:
                    _take_county(members, totals, series_of)
                group = next(groups, None)
            yield emit(_rows_of_county(plans, code, tier, facts.get(code, {}), series_of, rule, share, met))
            if progress:
                progress(done, steps)
        while group is not None:
            if group[0] is None:
                _keep_own(own, group[1])
            group = next(groups, None)
    finally:
        release()
    yield emit_rows(_prefecture_batch(indicators, totals, own, met, counties, facts, rule, now))
    if progress:
        progress(steps, steps)


def _take_county(members: Iterable[tuple], totals: dict[int, dict[int, list[int]]],
                 series_of: dict[int, list[tuple]]) -> None:
    """One county's figures: each indicator's series into ``series_of``, and its values into the prefecture's
    running totals."""
    for ind_id, series in groupby(members, key=_INDICATOR):
        by_year = totals.get(ind_id)
        if by_year is None:
            continue  # a retired indicator
        series = series_of[ind_id] = list(series)
        _add_to_totals(by_year, series)


def _add_to_totals(by_year: dict[int, list[int]], series: list[tuple]) -> None:
    """Add one county's series of an indicator to the running totals (``rules.Aggregate.add``, scaled)."""
    for _, _, year, value, num, den in series:
        if value is None:
            continue
        t = by_year.get(year)
        if t is None:
            t = by_year[year] = [0, 0, 0, 0, 0, 0]
        t[0] += value
        t[5] += 1
        if value >= SCALE:
            t[4] += 1
        if num is not None and den:
            t[1] += num
            t[2] += den
            t[3] += 1


def _rows_of_county(plans: list[_Plan], code: str, tier: int, facts: Facts, series_of: dict[int, list[tuple]],
                    rule: Rule, share: tuple[int, int], met: dict[int, dict[int, int]]) -> list[tuple]:
    """One county's rows on every indicator that applies to it; counts its achieved rows in ``met``."""
    rows: list[tuple] = []
    for plan in plans:
        entries = plan.years_for(code, tier, facts)
        if entries is not None:
            produced = _county_rows(plan, entries, code, series_of.get(plan.id, ()), rule, share)
            if plan.id in met:
                tally = met[plan.id]
                for raw in produced:
                    if raw[11] == ACHIEVED:
                        tally[raw[2]] = tally.get(raw[2], 0) + 1
            rows += produced
    return rows


def _prefecture_batch(indicators: list[IndicatorInfo], totals: dict[int, dict[int, list[int]]],
                      own: dict[int, dict[int, tuple]], met: dict[int, dict[int, int]], counties: list[tuple],
                      facts: dict[str, Facts], rule: Rule, now) -> list[tuple]:
    """The prefecture's rows of every indicator, from the running totals and its own figures."""
    rows = []
    for ind in indicators:
        aggregates = {year: Aggregate(_dec(t[0]), _dec(t[1]), _dec(t[2]), t[3], t[4], t[5])
                      for year, t in totals[ind.id].items()}
        own_values = {year: tuple(_dec(v) for v in f) for year, f in own[ind.id].items()}
        rows += prefecture_rows(ind, aggregates, own_values, scope_count(ind, counties, facts), rule, now,
                                met.get(ind.id))
    return rows


def _keep_own(own: dict[int, dict[int, tuple]], figures: Iterable[tuple]) -> None:
    """The prefecture's own figures (county None), by indicator and year."""
    for _, ind_id, year, *rest in figures:
        if ind_id in own:
            own[ind_id][year] = tuple(rest)


def compute_all(progress: Callable[[int, int], None] | None = None, using: str = "default",
                taps: list[Callable[[list], object]] | None = None) -> Iterator[tuple]:
    """Every progress row (county rows county by county, then the prefecture's), as tuples in COLUMNS order;
    each county's rows are shown to the ``taps`` first (``signals.progress_recompute_starting``)."""
    now = timezone.now()
    batches = _compute(using, _tapped(taps, lambda raws: [_as_row(raw, now) for raw in raws]), lambda rows: rows,
                       progress)
    return chain.from_iterable(batches)


def _tapped(taps: list[Callable[[list], object]], emit: Callable[[list], object]) -> Callable[[list], object]:
    """``emit`` of a county's rows, showing them to each tap first. A tap that raises is logged and removed from
    ``taps`` (the caller's list, which ``progress_recomputed`` hands back): what watches the recompute never fails
    it, and the receiver that gave the tap finds none and reads the table instead."""
    if not taps:
        return emit

    def emit_tapped(raws: list) -> object:
        for tap in list(taps):
            try:
                tap(raws)
            except Exception:  # noqa: BLE001
                log.exception("a tap of the recompute failed; it is dropped")
                taps.remove(tap)
        return emit(raws)
    return emit_tapped


def recompute_all(progress: Callable[[int, int], None] | None = None, using: str = "default",
                  then: Callable[[], None] | None = None, taps: list[Callable[[list], object]] | None = None) -> int:
    """Replace every progress row, in one transaction; returns the number of rows written. ``then`` runs in
    that transaction once the rows are written (the final evaluation, which reads them); ``taps`` see each
    county's rows as they are computed.

    On PostgreSQL, when not already inside a transaction, figures are read on a second connection that
    imports this transaction's snapshot (so it sees exactly what this transaction sees), and the rows stream
    into one COPY while they are computed. Otherwise (SQLite, or called inside an outer transaction whose
    uncommitted changes another connection could not see) rows are written in batches on one connection.
    """
    connection = connections[using]

    def replace() -> None:
        hold_lock(using)
        Progress.objects.using(using).all().delete()

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with transaction.atomic(using=using):
            count = write(compute_all(progress=progress, using=using, taps=taps), replace=replace, using=using)
            if then is not None:
                then()
            return count
    reader = None
    try:
        with transaction.atomic(using=using):
            replace()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            reader = connection.Database.connect(**connection.get_connection_params())
            reader.set_session(isolation_level="REPEATABLE READ", readonly=True, autocommit=False)
            with reader.cursor() as cursor:
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            tail = f"\t{timezone.now().isoformat()}\n"
            stream = _CopyStream(_compute(
                using, _tapped(taps, lambda raws: (len(raws), _as_lines(raws, tail))),
                lambda rows: (len(rows), "".join(_line(row) for row in rows)),
                progress, figures_cursor=reader.cursor(name="progress_figures")))
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {Progress._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN",
                                          stream, size=1 << 16)
            if then is not None:
                then()
            return stream.rows
    finally:
        if reader is not None:
            reader.close()
