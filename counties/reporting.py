"""Completeness and timeliness of reporting (填报完成率、及时率): the DHIS2 reporting-rate idea.

For one year, each county is expected to report the indicators that apply to it; a figure counts as
*submitted* once it is submitted or approved, *on time* if it was submitted by the end of the deadline day
(Asia/Shanghai), *late* after it. The counting is done by plain functions over plain values (``reports``,
``on_time``, ``tally``) that tests call without the database; ``load_catalogue`` and ``completeness`` feed them
with a fixed number of queries, whatever the number of counties and indicators.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from counties.choices import FigureStatus
from places.models import County, county_facts
from counties.models import Figure, ReportingYear
from indicators.models import Indicator, Plan, Target
from indicators.cycles import cycle_end
from indicators.targets import Facts, TargetSpec, in_scope, target_for_year, targets_for
from indicators.choices import Level, Rollup

SUBMITTED = (FigureStatus.SUBMITTED, FigureStatus.APPROVED)


def reports(*, retired: bool, level: str, rollup: str, cycle: str, specs: Iterable[TargetSpec],
            county_code: str, tier: int, year: int, facts: Facts | None = None) -> bool:
    """Whether a county is expected to report an indicator for a year.

    Not when the indicator is retired, reported by the prefecture alone (level prefecture, roll-up none),
    belongs to a plan whose cycle ended before the year, has no target that applies to this county (e.g. a
    target naming other counties only), or only conditional targets whose condition excludes the county that
    year on its attribute values ``facts`` (``indicators.targets.in_scope``; a condition not yet decidable
    keeps the county asked). Without ``facts`` no condition is decidable.
    """
    if retired or (level == Level.PREFECTURE and rollup == Rollup.NONE):
        return False
    end = cycle_end(cycle)
    if end is not None and year > end:
        return False
    return in_scope(targets_for(specs, county_code, tier), facts, year) is not False


def on_time(submitted_at: datetime | None, deadline: date | None, zone: tzinfo | None = None) -> bool | None:
    """True if submitted by the end of the deadline day (local time), False if after; None if unknown.
    ``zone``: the local time zone when the caller has it already (the current one otherwise)."""
    if submitted_at is None or deadline is None:
        return None
    return timezone.localtime(submitted_at, zone).date() <= deadline


@dataclass(frozen=True)
class FigureFacts:
    """What the counting needs of a figure."""

    status: str
    has_value: bool
    submitted_at: datetime | None = None


def _share(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


@dataclass
class CountyCounts:
    """A county's counts for a year (× plan): what ``tally`` counts in Python and ``county_counts`` in the
    database (the red/black list rules compare these), with the shares the pages show."""

    expected: int = 0
    entered: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def entered_share(self) -> int | None:
        return _share(self.entered, self.expected)

    @property
    def submitted_share(self) -> int | None:
        return _share(self.submitted, self.expected)

    @property
    def approved_share(self) -> int | None:
        return _share(self.approved, self.expected)

    @property
    def on_time_share(self) -> int | None:
        return _share(self.on_time, self.expected)

    @property
    def late_share(self) -> int | None:
        return _share(self.late, self.expected)


@dataclass
class Tally(CountyCounts):
    """Counts for one county (× plan) and year, with the keys behind two of them. ``empty``: expected keys
    without a value; ``unsubmitted``: expected keys neither submitted nor approved (what is still missing)."""

    empty: list = field(default_factory=list)
    unsubmitted: list = field(default_factory=list)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.expected + other.expected, self.entered + other.entered, self.submitted + other.submitted,
                     self.approved + other.approved, self.returned + other.returned, self.on_time + other.on_time,
                     self.late + other.late, self.empty + other.empty, self.unsubmitted + other.unsubmitted)


def tally(expected: Iterable[Hashable], figures: Mapping[Hashable, FigureFacts], deadline: date | None) -> Tally:
    """Count the expected keys (indicators) by the state of their figure; figures of other keys are ignored."""
    t = Tally()
    zone = timezone.get_current_timezone()  # once: looking it up per figure was half the time of a national tally
    for key in expected:
        t.expected += 1
        facts = figures.get(key)
        if facts is None or not facts.has_value:
            t.empty.append(key)
        else:
            t.entered += 1
        if facts is None or facts.status not in SUBMITTED:
            t.unsubmitted.append(key)
            if facts is not None and facts.status == FigureStatus.RETURNED:
                t.returned += 1
            continue
        t.submitted += 1
        if facts.status == FigureStatus.APPROVED:
            t.approved += 1
        timely = on_time(facts.submitted_at, deadline, zone)
        if timely is True:
            t.on_time += 1
        elif timely is False:
            t.late += 1
    return t


class CountyFacts:
    """Every county's attribute values (``places.models.county_facts``), read on first need — one query, and
    none for a catalogue without conditional targets — and shared by the entries of one catalogue."""

    def __init__(self) -> None:
        self._facts: dict | None = None

    def of(self, code: str) -> Facts:
        if self._facts is None:
            self._facts = county_facts()
        return self._facts.get(code, {})


@dataclass
class CatalogueEntry:
    """An indicator with its targets as plain specs."""

    indicator: Indicator
    specs: list[TargetSpec]
    facts: CountyFacts = field(default_factory=CountyFacts, repr=False)

    @property
    def conditional(self) -> bool:
        return any(s.condition is not None for s in self.specs)

    def county_facts(self, county: County) -> Facts | None:
        return self.facts.of(county.code) if self.conditional else None

    def applies_to(self, county: County, year: int, *, by_condition: bool = True) -> bool:
        """Whether the county is asked for the indicator in ``year`` (``reports``). ``by_condition=False``: as
        if no condition were decided — a page that shows an excluded county's row as 不适用 lists it."""
        ind = self.indicator
        return reports(retired=ind.retired, level=ind.level, rollup=ind.rollup, cycle=ind.plan.cycle,
                       specs=self.specs, county_code=county.code, tier=county.tier, year=year,
                       facts=self.county_facts(county) if by_condition else None)

    def not_determined(self, county: County, year: int) -> bool:
        """Whether the county is asked only because a condition cannot be decided yet (待确定)."""
        if not self.conditional:
            return False
        return in_scope(targets_for(self.specs, county.code, county.tier), self.county_facts(county), year) is None

    def target(self, county: County, year: int) -> TargetSpec | None:
        """The target that governs ``year`` for this county (for a prefecture-wide indicator, the 全州 total)."""
        return target_for_year(targets_for(self.specs, county.code, county.tier), year)


def load_catalogue(plan_code: str | None = None) -> list[CatalogueEntry]:
    """Every indicator in use (with plan, task, unit and targets), in catalogue order — the plan's goals
    (目标任务, no task) first, then task by task — in three queries."""
    qs = (Indicator.objects.filter(retired=False).select_related("plan", "task", "unit")
          .prefetch_related(Prefetch("targets", queryset=Target.objects.prefetch_related("counties")))
          .order_by("plan__order", "plan__code", F("task__number").asc(nulls_first=True), "order", "code"))
    if plan_code:
        qs = qs.filter(plan__code=plan_code)
    facts = CountyFacts()
    return [CatalogueEntry(ind, [t.spec() for t in ind.targets.all()], facts) for ind in qs]


def facts_of(value: Decimal | None, status: str, submitted_at: datetime | None) -> FigureFacts:
    return FigureFacts(status=status, has_value=value is not None, submitted_at=submitted_at)


@dataclass
class Report:
    """Completeness and timeliness of one year: a tally per county × plan, with totals."""

    year: int
    deadline: date | None
    counties: list[County]
    plans: list[Plan]
    cells: dict[tuple[int, int], Tally]
    indicators: dict[int, Indicator]

    def cell(self, county: County, plan: Plan) -> Tally:
        return self.cells.get((county.pk, plan.pk), Tally())

    def county_total(self, county: County) -> Tally:
        return sum((self.cell(county, p) for p in self.plans), Tally())

    def plan_total(self, plan: Plan) -> Tally:
        return sum((self.cell(c, plan) for c in self.counties), Tally())

    def total(self) -> Tally:
        return sum((self.county_total(c) for c in self.counties), Tally())


def completeness(year: int, *, figures: QuerySet | None = None, counties: Iterable[County] | None = None,
                 plan_code: str | None = None) -> Report:
    """Tally every county × plan for ``year``. ``figures`` is the queryset the user may see
    (``Figure.objects.visible_to(user)``); all figures when omitted (jobs, tests)."""
    figures = Figure.objects.all() if figures is None else figures
    counties = list(County.objects.all() if counties is None else counties)
    catalogue = load_catalogue(plan_code)
    ry = ReportingYear.objects.filter(year=year).first()
    deadline = ry.deadline if ry else None
    facts = {(c, i): facts_of(v, s, at) for c, i, v, s, at in figures.filter(
        year=year, county__in=[c.pk for c in counties], indicator__in=[e.indicator.pk for e in catalogue])
        .values_list("county_id", "indicator_id", "value", "status", "submitted_at")}
    plans: dict[int, Plan] = {}
    cells: dict[tuple[int, int], Tally] = {}
    for entry in catalogue:
        plans.setdefault(entry.indicator.plan_id, entry.indicator.plan)
    # Counties alike (``_alike``) are expected the same indicators: worked out once for them.
    alike = _alike(catalogue)
    expected_of: dict[tuple, dict[int, list[int]]] = {}
    for county in counties:
        key = alike(county)
        if key not in expected_of:
            expected_of[key] = _expected_by_plan(catalogue, county, year)
        for plan_id, ids in expected_of[key].items():
            own = {i: facts[(county.pk, i)] for i in ids if (county.pk, i) in facts}
            cells[(county.pk, plan_id)] = tally(ids, own, deadline)
    return Report(year, deadline, counties, list(plans.values()), cells,
                  {e.indicator.pk: e.indicator for e in catalogue})


def _deadline_end(deadline: date) -> datetime:
    """The first instant after the deadline day (local time): ``on_time`` is ``submitted_at`` before it."""
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min), zone)


def _counts_query(figures: QuerySet, deadline: date | None, groups: dict[frozenset, list[int]]) -> dict[int, dict]:
    """One GROUP BY county over the figures each county is expected to report (``groups``: expected indicator
    ids → the counties expecting exactly those), the counts ``tally`` makes, as the database counts them."""
    scope = Q(pk__in=[])
    for ids, county_ids in groups.items():
        if ids:
            scope |= Q(county_id__in=county_ids, indicator_id__in=sorted(ids))
    done = Q(status__in=SUBMITTED)
    counts = {
        "entered": Count("id", filter=Q(value__isnull=False)),
        "submitted": Count("id", filter=done),
        "approved": Count("id", filter=Q(status=FigureStatus.APPROVED)),
        "returned": Count("id", filter=Q(status=FigureStatus.RETURNED)),
    }
    if deadline is not None:
        end = _deadline_end(deadline)
        counts["on_time"] = Count("id", filter=done & Q(submitted_at__lt=end))
        counts["late"] = Count("id", filter=done & Q(submitted_at__gte=end))
    rows = figures.filter(scope).values("county_id").annotate(**counts).order_by()
    return {row.pop("county_id"): row for row in rows}


def county_counts(year: int, *, figures: QuerySet | None = None,
                  counties: Iterable[County] | None = None) -> tuple[date | None, dict[int, CountyCounts]]:
    """The year's reporting deadline and, per county id, what ``completeness(...).county_total`` counts — the
    completeness (完成率) and timeliness (及时率) of its reporting — in five queries whatever the number of
    counties and figures: the expected sets are worked out per group of like counties (as ``completeness``
    does), the figures are counted by the database (one GROUP BY county), not one by one in Python."""
    figures = Figure.objects.all() if figures is None else figures
    counties = list(County.objects.all() if counties is None else counties)
    catalogue = load_catalogue()
    ry = ReportingYear.objects.filter(year=year).first()
    deadline = ry.deadline if ry else None
    expected = _expected_sets(catalogue, counties, year)
    groups: dict[frozenset, list[int]] = {}
    for county in counties:
        groups.setdefault(expected[county.pk], []).append(county.pk)
    found = _counts_query(figures.filter(year=year), deadline, groups) if counties else {}
    return deadline, {c.pk: CountyCounts(len(expected[c.pk]), **found.get(c.pk, {})) for c in counties}


def _alike(catalogue: list[CatalogueEntry]) -> Callable[[County], tuple]:
    """A county's key such that counties with one key are expected the same indicators every year: its tier,
    its code if a target names it, and, when a target has a condition, its attribute values (what ``reports``
    reads) — so that 3,000 counties are worked out a few times, not one by one."""
    named = frozenset().union(*(s.counties for e in catalogue for s in e.specs))
    conditional = next((e for e in catalogue if e.conditional), None)

    def key(county: County) -> tuple:
        facts = conditional.county_facts(county) if conditional is not None else {}
        return (county.code if county.code in named else None, county.tier,
                tuple(sorted((k, tuple(v)) for k, v in facts.items())))
    return key


def _expected_sets(catalogue: list[CatalogueEntry], counties: list[County], year: int) -> dict[int, frozenset]:
    """County id → the indicator ids it is expected to report for ``year``, worked out once per key of
    ``_alike``."""
    alike = _alike(catalogue)
    of_key: dict[tuple, frozenset] = {}
    out = {}
    for county in counties:
        key = alike(county)
        if key not in of_key:
            of_key[key] = frozenset(i for ids in _expected_by_plan(catalogue, county, year).values() for i in ids)
        out[county.pk] = of_key[key]
    return out


def _expected_by_plan(catalogue: list[CatalogueEntry], county: County, year: int) -> dict[int, list[int]]:
    """The indicators (ids) a county is expected to report for ``year``, by plan id, in catalogue order."""
    by_plan: dict[int, list[int]] = {}
    for entry in catalogue:
        if entry.applies_to(county, year):
            by_plan.setdefault(entry.indicator.plan_id, []).append(entry.indicator.pk)
    return by_plan


@dataclass(frozen=True)
class CountyReporting:
    """How many figures a county is expected to report for a year and how many it has submitted (or had
    approved): what the dashboard and its map show, counted without loading figures one by one."""

    code: str
    expected: int
    submitted: int

    @property
    def missing(self) -> int:
        return max(self.expected - self.submitted, 0)

    @property
    def share(self) -> float | None:
        return min(self.submitted / self.expected, 1.0) if self.expected else None


def _not_asked(catalogue: list[CatalogueEntry], submitted: QuerySet, year: int) -> dict[int, int]:
    """County id → how many of its submitted figures belong to conditional indicators it is not asked for."""
    conditional = {e.indicator.pk: e for e in catalogue if e.conditional}
    out: dict[int, int] = {}
    if not conditional:
        return out
    for county_id, code, tier, ind_id in submitted.filter(indicator_id__in=list(conditional)).values_list(
            "county_id", "county__code", "county__tier", "indicator_id"):
        e = conditional[ind_id]
        if not reports(retired=e.indicator.retired, level=e.indicator.level, rollup=e.indicator.rollup,
                       cycle=e.indicator.plan.cycle, specs=e.specs, county_code=code, tier=tier, year=year,
                       facts=e.facts.of(code)):
            out[county_id] = out.get(county_id, 0) + 1
    return out


def reporting_by_county(year: int, *, figures: QuerySet | None = None) -> dict[str, CountyReporting]:
    """Expected and submitted figures of every county for ``year``, in five queries whatever the number of
    counties (the last two, when a target has a condition: the counties' attribute values, and the submitted
    figures of conditional indicators, so that one a condition now excludes — entered before the attribute was
    recorded — does not count; without a condition, counties of one tier not named by any target share their
    expected set, so it is worked out once per tier).
    ``figures``: what the user may see (``Figure.objects.visible_to(user)``)."""
    from django.db.models import Count

    figures = Figure.objects.all() if figures is None else figures
    catalogue = load_catalogue()
    named = frozenset().union(*(s.counties for e in catalogue for s in e.specs))
    # A conditional target makes every county's expected set its own (its attribute values decide).
    conditional = any(e.conditional for e in catalogue)
    expected_of: dict[tuple, int] = {}
    # Only figures of indicators a county reports that year count, as in ``completeness`` (not a retired
    # indicator's, nor one of a cycle that has ended).
    reportable = [e.indicator.pk for e in catalogue if not e.indicator.retired and not e.indicator.prefecture_only
                  and (cycle_end(e.indicator.plan.cycle) or year) >= year]
    submitted = dict(figures.filter(year=year, status__in=SUBMITTED, county__isnull=False,
                                    indicator_id__in=reportable)
                     .values_list("county_id").annotate(n=Count("county_id")).order_by())
    not_asked = _not_asked(catalogue, figures.filter(year=year, status__in=SUBMITTED, county__isnull=False), year)
    out = {}
    for county_id, code, tier in County.objects.values_list("id", "code", "tier"):
        key = (code if code in named or conditional else None, tier)
        if key not in expected_of:
            expected_of[key] = sum(1 for e in catalogue if reports(
                retired=e.indicator.retired, level=e.indicator.level, rollup=e.indicator.rollup,
                cycle=e.indicator.plan.cycle, specs=e.specs, county_code=code, tier=tier, year=year,
                facts=e.facts.of(code) if e.conditional else None))
        n = submitted.get(county_id, 0) - not_asked.get(county_id, 0)
        out[code] = CountyReporting(code, expected_of[key], min(n, expected_of[key]))
    return out
