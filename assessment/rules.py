"""The progress rule of DESIGN §3, as plain functions over plain values (no database, no HTTP).

Let b be the baseline (the base-year figure, else the first approved one), T the target for deadline Y.
The expected value in year y lies on the straight line from b in the base year to T in Y.
``achieved`` if the value meets T in the indicator's direction; ``on_track`` if it meets the expected value;
``lagging`` if it has made at least ``lagging_share`` (default 80 %) of the expected progress; else
``off_track``. A deadline passed without achievement is ``off_track`` and overdue. A least-squares trend over
the approved years projects the value in Y and tells whether T will be met at the current pace.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Mapping, Sequence

from assessment.choices import EvaluationResult, ProgressStatus
from counties.validation import rate_percent
from indicators.choices import Direction, Kind, LOWER_IS_BETTER

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Rule:
    """The thresholds of the rule; ``assessment.engine`` builds it from settings."""

    lagging_share: Decimal = Decimal("0.8")
    base_year: int = 2021


@dataclass(frozen=True)
class Outcome:
    value: Decimal | None
    target: Decimal | None
    target_year: int | None
    baseline: Decimal | None
    baseline_year: int | None
    expected: Decimal | None
    status: str
    overdue: bool
    projected: Decimal | None
    will_meet: bool | None
    gap: Decimal | None


def meets(value: Decimal, goal: Decimal, direction: str, upper: Decimal | None = None) -> bool:
    """Whether ``value`` satisfies ``goal`` in the indicator's direction (``between``: ``goal`` ≤ value ≤ ``upper``)."""
    if direction == Direction.BETWEEN:
        return goal <= value and (upper is None or value <= upper)
    if direction in LOWER_IS_BETTER:
        return value <= goal
    return value >= goal


def band_side(value: Decimal, lower: Decimal, upper: Decimal | None) -> tuple[Decimal, str]:
    """For a ``between`` target: the bound a value outside the band moves toward, and in which direction
    (below the band: the lower bound, at least; above it: the upper bound, at most). Inside: the lower bound."""
    if upper is not None and value > upper:
        return upper, Direction.AT_MOST
    return lower, Direction.AT_LEAST


def expected_value(baseline: Decimal, base_year: int, target: Decimal, target_year: int, year: int) -> Decimal:
    """The straight line from the baseline in the base year to the target in its deadline year."""
    if year >= target_year or target_year <= base_year:
        return target
    if year <= base_year:
        return baseline
    share = Decimal(year - base_year) / Decimal(target_year - base_year)
    return baseline + (target - baseline) * share


def trend(points: Mapping[int, Decimal], year: int) -> Decimal | None:
    """Least-squares linear trend of the approved values, evaluated at ``year``; None with fewer than 2 years."""
    if len(points) < 2:
        return None
    n = Decimal(len(points))
    xs = [Decimal(x) for x in points]
    ys = list(points.values())
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    return mean_y + slope * (Decimal(year) - mean_x)


def gap_in_units(
    kind: str, direction: str, target: Decimal, value: Decimal,
    numerator: Decimal | None = None, denominator: Decimal | None = None,
) -> Decimal:
    """How far the value is from the target, in the indicator's own units; 0 once met.

    For a rate with a denominator that is people, not points: target × denominator − numerator (e.g. how many
    more children must be enrolled for 92 %).
    """
    if meets(value, target, direction):
        return Decimal(0)
    if kind == Kind.RATE and numerator is not None and denominator:
        needed = target * denominator / 100
        return abs(needed - numerator).quantize(FOUR_PLACES)
    return abs(target - value).quantize(FOUR_PLACES)


def evaluate(
    *,
    kind: str,
    direction: str,
    year: int,
    values: Mapping[int, Decimal],
    target: Decimal | None,
    target_year: int | None,
    rule: Rule = Rule(),
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    period: Period | None = None,
    upper: Decimal | None = None,
) -> Outcome:
    """Progress of one county (or the prefecture) on one indicator in ``year``.

    ``values`` are the approved values by year (all years, so the baseline and trend can be found);
    ``target``/``target_year`` the applicable target (``target_year`` None for a standing yearly rule);
    ``period``: a standing rule's period of several years (每2年1次), judged per period (``periodic``).
    ``upper``: a ``between`` target's upper bound (``target`` the lower): inside the band is achieved; outside,
    the year is judged as an at-least target toward the lower bound or an at-most one toward the upper.
    """
    if direction == Direction.BETWEEN and target is not None:
        value = values.get(year)
        if value is None:
            value = target  # no figure: judged (as no data) against the lower bound
        bound, side = band_side(value, target, upper)
        o = evaluate(kind=kind, direction=side, year=year, values=values, target=bound, target_year=target_year,
                     rule=rule, numerator=numerator, denominator=denominator, period=period)
        if o.projected is not None:
            # The projection must land inside the band, not merely pass the bound being approached: a trend
            # that overshoots the far bound (40 → 70 % against 45–55) will not meet it.
            o = replace(o, will_meet=meets(o.projected, target, direction, upper))
        if o.value is not None and meets(o.value, target, direction, upper):
            return replace(o, status=ProgressStatus.ACHIEVED, overdue=False, gap=Decimal(0))
        return o
    if period is not None and period.years > 1 and target_year is None and target is not None:
        return periodic(kind=kind, direction=direction, year=year, values=values, target=target, period=period,
                        rule=rule)
    value = values.get(year)
    if kind == Kind.MILESTONE and value is None and target_year is not None:
        # A milestone once done stays done: carry the latest earlier value forward. Not a yearly milestone
        # (每年…, no deadline): each year is its own.
        earlier = [y for y in values if y < year]
        value = values[max(earlier)] if earlier else None
        numerator = denominator = None
    base_year = rule.base_year if rule.base_year in values else (min(values) if values else None)
    baseline = values.get(base_year) if base_year is not None else None
    if value is None or target is None:
        return Outcome(value, target, target_year, baseline, base_year, None, ProgressStatus.NO_DATA,
                       False, None, None, None)
    gap = gap_in_units(kind, direction, target, value, numerator, denominator)
    projected = will_meet = None
    if kind != Kind.MILESTONE and target_year is not None:
        projected, will_meet = _projection(direction, year, values, target, target_year)
    expected = _expected(kind, year, target, target_year, baseline, base_year)
    status, overdue = _status(kind, direction, year, value, target, target_year, baseline, expected, rule)
    return Outcome(value, target, target_year, baseline, base_year, expected, status, overdue,
                   projected, will_meet, gap)


def _projection(direction: str, year: int, values: Mapping[int, Decimal], target: Decimal,
                target_year: int) -> tuple[Decimal | None, bool | None]:
    """Where the trend of the approved values up to ``year`` stands in the target year (to 4 places), and whether
    that meets the target; (None, None) without a trend."""
    projected = trend({y: v for y, v in values.items() if y <= year}, target_year)
    if projected is None:
        return None, None
    return projected.quantize(FOUR_PLACES), meets(projected, target, direction)


def _expected(kind: str, year: int, target: Decimal, target_year: int | None, baseline: Decimal,
              base_year: int) -> Decimal:
    """The value expected in ``year``, to 4 places: the straight line from the baseline to a dated target."""
    if target_year is None:
        # A standing rule (每年…不少于…) holds every year: no straight line, the target itself is expected.
        expected = target
    elif kind == Kind.MILESTONE:
        expected = target if year >= target_year else Decimal(0)
    else:
        expected = expected_value(baseline, base_year, target, target_year, year)
    return expected.quantize(FOUR_PLACES)


@dataclass(frozen=True)
class Period:
    """A standing rule's period: every ``years`` years, the first period starting in ``start`` (每2年1次 from
    2022: 2022–2023, 2024–2025, …)."""

    years: int
    start: int

    def bounds(self, year: int) -> tuple[int, int]:
        """The first and last year of the period ``year`` falls in."""
        first = self.start + ((year - self.start) // self.years) * self.years
        return first, first + self.years - 1


def period_value(kind: str, values: Mapping[int, Decimal], first: int, upto: int) -> Decimal | None:
    """What a period has achieved by ``upto``: counts and amounts add up over its years (每2年1次: the events of
    both years); other kinds take the latest value. None when no year of it is reported yet."""
    reported = [values[y] for y in range(first, upto + 1) if values.get(y) is not None]
    if not reported:
        return None
    if kind in (Kind.COUNT, Kind.AMOUNT):
        return sum(reported, Decimal(0))
    return reported[-1]


def periodic(*, kind: str, direction: str, year: int, values: Mapping[int, Decimal], target: Decimal,
             period: Period, rule: Rule = Rule()) -> Outcome:
    """A periodic standing rule in ``year``: ``achieved`` once the period so far meets the target; before the
    period's last year, otherwise ``not_due`` (nothing is owed yet); in its last year, ``off_track`` and overdue
    when unmet, ``no_data`` when that year is not reported. The value shown is the year's own figure.
    """
    first, last = period.bounds(year)
    so_far = period_value(kind, values, first, year)
    base_year = rule.base_year if rule.base_year in values else (min(values) if values else None)
    baseline = values.get(base_year) if base_year is not None else None
    value = values.get(year)
    expected = target.quantize(FOUR_PLACES)
    if so_far is not None and meets(so_far, target, direction):
        return Outcome(value, target, None, baseline, base_year, expected, ProgressStatus.ACHIEVED, False,
                       None, None, Decimal(0))
    gap = None if so_far is None else gap_in_units(kind, direction, target, so_far)
    if year < last:
        return Outcome(value, target, None, baseline, base_year, expected, ProgressStatus.NOT_DUE, False,
                       None, None, gap)
    if value is None:
        # The period's last year, not reported: as any year without a figure.
        return Outcome(value, target, None, baseline, base_year, None, ProgressStatus.NO_DATA, False,
                       None, None, None)
    return Outcome(value, target, None, baseline, base_year, expected, ProgressStatus.OFF_TRACK, True,
                   None, None, gap)


def not_determined(*, year: int, values: Mapping[int, Decimal], rule: Rule = Rule(),
                   numerator: Decimal | None = None, denominator: Decimal | None = None) -> Outcome:
    """The outcome where a target's scope cannot be decided yet (a condition on a county attribute whose value
    is not recorded for the year): the figure is shown, nothing is judged, never off track."""
    base_year = rule.base_year if rule.base_year in values else (min(values) if values else None)
    baseline = values.get(base_year) if base_year is not None else None
    return Outcome(values.get(year), None, None, baseline, base_year, None, ProgressStatus.NOT_DETERMINED,
                   False, None, None, None)


def _status(kind, direction, year, value, target, target_year, baseline, expected, rule) -> tuple[str, bool]:
    if meets(value, target, direction):
        return ProgressStatus.ACHIEVED, False
    if target_year is not None and year >= target_year:
        return ProgressStatus.OFF_TRACK, True
    if kind == Kind.MILESTONE and target_year is not None:
        # Not done yet, before its deadline. A yearly milestone not done in its year is off track (below).
        return ProgressStatus.ON_TRACK, False
    if meets(value, expected, direction):
        return ProgressStatus.ON_TRACK, False
    start = baseline if target_year is not None else Decimal(0)
    needed = (expected - start) if direction == Direction.AT_LEAST else (start - expected)
    made = (value - start) if direction == Direction.AT_LEAST else (start - value)
    if needed > 0 and made >= rule.lagging_share * needed:
        return ProgressStatus.LAGGING, False
    return ProgressStatus.OFF_TRACK, False


@dataclass
class Aggregate:
    """What the prefecture roll-up needs of one indicator-year's county figures."""

    total: Decimal = Decimal(0)
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    paired: int = 0
    done: int = 0
    reported: int = 0

    def add(self, value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None) -> None:
        if value is None:
            return
        self.reported += 1
        self.total += value
        if value >= 1:
            self.done += 1
        if numerator is not None and denominator:
            self.numerator += numerator
            self.denominator += denominator
            self.paired += 1


def rollup(rule: str, agg: Aggregate, expected_count: int | None = None,
           ) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The prefecture's (value, numerator, denominator) from the counties' figures of one year.

    ``sum`` adds values; ``ratio`` divides summed numerators by summed denominators (never a mean of rates);
    ``all``/``any``/``count`` read milestone values 1/0 (``all`` needs every county in scope to report done).
    """
    if not agg.reported:
        return None, None, None
    if rule == "sum":
        return agg.total, None, None
    if rule == "ratio":
        if not agg.paired:
            return None, None, None
        return rate_percent(agg.numerator, agg.denominator), agg.numerator, agg.denominator
    if rule == "all":
        needed = expected_count if expected_count is not None else agg.reported
        return Decimal(1 if needed > 0 and agg.done >= needed else 0), None, None
    if rule == "any":
        return Decimal(1 if agg.done else 0), None, None
    if rule == "count":
        return Decimal(agg.done), None, None
    return None, None, None


# ------------------------------------------------------------------------- final evaluation (终期评估) --


@dataclass(frozen=True)
class Judgement:
    """The final evaluation of one target for one area.

    ``met_year``: the year whose approved figure met the target (the deadline year, a later year when met late,
    or the year a milestone was done). Standing rules count ``years_met`` out of ``years_reported``.
    ``latest_value``/``latest_year``: the latest approved value, so a reader sees "not yet reported, but met
    in 2024".
    """

    result: str
    value_at_deadline: Decimal | None
    met_year: int | None
    latest_value: Decimal | None
    latest_year: int | None
    years_met: int | None = None
    years_reported: int | None = None


def not_determined_judgement(values: Mapping[int, Decimal]) -> Judgement:
    """The final evaluation where a target's conditional scope cannot be decided (attribute not recorded)."""
    reported = sorted(y for y, v in values.items() if v is not None)
    latest_year = reported[-1] if reported else None
    return Judgement(EvaluationResult.NOT_DETERMINED, None, None,
                     values[latest_year] if latest_year is not None else None, latest_year)


def judge(
    *,
    kind: str,
    direction: str,
    target: Decimal,
    target_year: int | None,
    values: Mapping[int, Decimal],
    cycle: Sequence[int] = (),
    period: Period | None = None,
    upper: Decimal | None = None,
) -> Judgement:
    """Which target an area met on time, late, or missed (DESIGN §3, Final evaluation).

    ``values``: the approved values by year (every year known, before and after the deadline).

    - ``met_on_time``: the approved figure of the deadline year meets the target (a milestone done in or
      before the deadline year counts: once done it stays done, as in the progress rule);
    - ``met_late``: it does not, or is missing, and a later year's approved figure meets it (``met_year``);
    - ``missed``: neither, and there is an approved figure for the deadline year or later;
    - ``no_data``: no approved figure for the deadline year or later.

    ``upper``: a ``between`` target's upper bound (met inside the band).

    A standing yearly rule (``target_year`` None, 每年…) is judged per year over the ``cycle`` years:
    ``met_on_time`` when every reported year met it, ``missed`` when some reported year did not, ``no_data``
    when no year of the cycle is reported.
    """
    reported = sorted(y for y, v in values.items() if v is not None)
    latest_year = reported[-1] if reported else None
    latest_value = values[latest_year] if latest_year is not None else None
    if target_year is None and period is not None and period.years > 1:
        return _judge_periods(kind, direction, target, values, cycle, period, latest_value, latest_year)
    if target_year is None:
        years = [y for y in reported if not cycle or y in cycle]
        met = sum(1 for y in years if meets(values[y], target, direction, upper))
        if not years:
            result = EvaluationResult.NO_DATA
        else:
            result = EvaluationResult.MET_ON_TIME if met == len(years) else EvaluationResult.MISSED
        return Judgement(result, None, None, latest_value, latest_year, met, len(years))
    at_deadline = values.get(target_year)
    if kind == Kind.MILESTONE:
        # Done in or before the deadline year, and still done by then: met on time, since the year it was done.
        upto = [y for y in reported if y <= target_year]
        if upto and meets(values[upto[-1]], target, direction, upper):
            done = upto[-1]
            for y in reversed(upto):
                if not meets(values[y], target, direction, upper):
                    break
                done = y
            return Judgement(EvaluationResult.MET_ON_TIME, values[upto[-1]], done, latest_value, latest_year)
    if at_deadline is not None and meets(at_deadline, target, direction, upper):
        return Judgement(EvaluationResult.MET_ON_TIME, at_deadline, target_year, latest_value, latest_year)
    later = [y for y in reported if y > target_year and meets(values[y], target, direction, upper)]
    if later:
        return Judgement(EvaluationResult.MET_LATE, at_deadline, later[0], latest_value, latest_year)
    if any(y >= target_year for y in reported):
        return Judgement(EvaluationResult.MISSED, at_deadline, None, latest_value, latest_year)
    return Judgement(EvaluationResult.NO_DATA, None, None, latest_value, latest_year)



def _judge_periods(kind, direction, target, values, cycle, period: Period, latest_value, latest_year) -> Judgement:
    """A periodic standing rule over the cycle: each period of the cycle is met (its reported years add up to
    the target), missed (not met, its last year reported) or not yet judged; ``years_met``/``years_reported``
    then count periods; ``met_on_time`` when every judged period met it."""
    firsts = sorted({period.bounds(y)[0] for y in cycle}) if cycle else sorted(
        {period.bounds(y)[0] for y, v in values.items() if v is not None})
    judged = met = 0
    for first in firsts:
        last = first + period.years - 1
        total = period_value(kind, values, first, last)
        if total is None:
            continue
        ok = meets(total, target, direction)
        if not ok and values.get(last) is None:
            continue  # not met yet, and its last year not reported: nothing is owed yet
        judged += 1
        met += ok
    if not judged:
        result = EvaluationResult.NO_DATA
    else:
        result = EvaluationResult.MET_ON_TIME if met == judged else EvaluationResult.MISSED
    return Judgement(result, None, None, latest_value, latest_year, met, judged)
