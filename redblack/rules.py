"""The list rules: a small registry of named rule functions, each turning the data of a year into candidate
entries with a reason a person reads.

A ``ListRule`` row (data, edited by administrators) names a function registered here and its parameters. Apps
above may register more (scoring: the top/bottom three by assessment score) with ``register``; a rule naming a
function nobody registered is skipped and the preview says so.

Rounding: every figure in a reason is rounded the way the lists page shows it (``shown``: rates and values to one
decimal, shares to whole percent), and where a rule compares figures it compares the rounded ones (round first,
then judge), so two counties shown with the same share are treated alike.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from assessment.choices import ProgressStatus
from assessment.queries import progress_visible_to
from counties.choices import FigureStatus
from counties.models import Figure
from counties.reporting import CountyCounts, county_counts
from indicators.models import Indicator
from liangshan_edu.formats import plain
from places.models import County
from redblack.choices import ListKind


def shown(value, places: int = 1) -> Decimal | None:
    """A figure rounded as the page shows it (half up): the value that is both printed and judged."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """A share in whole percent, rounded half up (0.5 → 1), as shown."""
    return shown(Decimal(part) * 100 / whole, 0) if whole else None


@dataclass
class Candidate:
    """An entry a rule proposes: a county, or a county × indicator (``indicator`` None for county-level)."""

    list: str
    county: County
    indicator: Indicator | None
    reason: str
    figures: dict = field(default_factory=dict)
    rule: str = ""


class Context:
    """What the rules read, loaded once per preview or publication (each loader a fixed number of queries,
    whatever the number of counties), through the public query functions of the lower apps and as the
    publishing user may see it."""

    def __init__(self, user, year: int) -> None:
        self.user, self.year = user, year
        self._words: dict[tuple, str] = {}
        self._units: dict[int, str] = {}

    def word(self, kind: str, value) -> str:
        """The few words every reason repeats (a status, a target's year), translated once per build: a list of
        thousands of entries would otherwise look each up thousands of times."""
        key = (kind, value)
        if key not in self._words:
            self._words[key] = (str(ProgressStatus(value).label) if kind == "status" else
                                _("%(year)s年") % {"year": value} if value else _("每年"))
        return self._words[key]

    def unit(self, indicator: Indicator) -> str:
        if indicator.pk not in self._units:
            self._units[indicator.pk] = _unit(indicator)
        return self._units[indicator.pk]

    @cached_property
    def counties(self) -> dict[str, County]:
        return {c.code: c for c in County.objects.visible_to(self.user)}

    @cached_property
    def indicators(self) -> dict[int, Indicator]:
        return {i.pk: i for i in Indicator.objects.select_related("unit")}

    def progress(self, year: int, condition: Q, *, previous: list[str] | None = None) -> list[dict]:
        """Progress rows of ``year`` meeting ``condition``; with ``previous`` (statuses), only those whose row of
        the year before has one of them, with its ``previous_status`` and ``previous_value`` (one query: the
        database pairs the years, not Python over every row of the year before)."""
        visible = progress_visible_to(self.user)
        qs = visible.filter(condition, year=year, area__in=list(self.counties)).order_by()
        fields = ["area", "indicator_id", "value", "target", "target_year", "expected", "status", "overdue"]
        if previous is not None:
            before = visible.filter(area=OuterRef("area"), indicator_id=OuterRef("indicator_id"), year=year - 1,
                                    status__in=previous)
            qs = qs.annotate(previous_status=Subquery(before.values("status")[:1]),
                             previous_value=Subquery(before.values("value")[:1])).filter(previous_status__isnull=False)
            fields += ["previous_status", "previous_value"]
        return list(qs.values(*fields))

    @cached_property
    def reporting(self) -> tuple:
        """The data year's reporting deadline and, per county code, the completeness and timeliness counts of
        its reporting (``counties.reporting.county_counts``: counted by the database, not figure by figure)."""
        deadline, counts = county_counts(self.year, figures=Figure.objects.visible_to(self.user),
                                         counties=list(self.counties.values()))
        by_code: dict[str, CountyCounts] = {c.code: counts[c.pk] for c in self.counties.values()}
        return deadline, by_code

    @cached_property
    def returned(self) -> dict[int, int]:
        """Per county id, how many of its figures of the year an official returned at least once (the audit
        history of figures)."""
        pairs = set(Figure.history.filter(year=self.year, status=FigureStatus.RETURNED,
                                              county_id__in=[c.pk for c in self.counties.values()])
                    .values_list("county_id", "indicator_id").distinct())
        counts: dict[int, int] = {}
        for county_id, _indicator in pairs:
            counts[county_id] = counts.get(county_id, 0) + 1
        return counts


RuleFunction = Callable[[Context, dict], list[Candidate]]


@dataclass(frozen=True)
class Registered:
    name: str
    label: str
    list: str
    function: RuleFunction


REGISTRY: dict[str, Registered] = {}


def register(name: str, label: str, list_kind: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``name`` (what ``ListRule.function`` names)."""
    def decorator(function: RuleFunction) -> RuleFunction:
        REGISTRY[name] = Registered(name, label, list_kind, function)
        return function
    return decorator


def _unit(indicator: Indicator) -> str:
    return indicator.unit.code if indicator.unit_id and indicator.unit.code not in ("是/否",) else ""


@lru_cache(maxsize=1 << 16)
def _number(value) -> str:
    """A figure as the page writes it (rounded as shown); empty for none. Cached: a national list writes
    600,000 figures, many of them the same targets and expected values."""
    return plain(shown(value))


def _with_unit(number: str, unit: str) -> str:
    return f"{number}{unit}" if number else "—"


@register("newly_achieved", "本期新达标的县市 × 指标", ListKind.RED)
def newly_achieved(ctx: Context, params: dict) -> list[Candidate]:
    """Red: every county × indicator achieved in the data year that was measured and not achieved the year
    before (a first figure that meets the target is not "new": there is nothing to compare it with)."""
    now = ctx.progress(ctx.year, Q(status=ProgressStatus.ACHIEVED),
                       previous=[ProgressStatus.ON_TRACK, ProgressStatus.LAGGING, ProgressStatus.OFF_TRACK])
    out = []
    template = _("%(code)s %(name)s：%(year)s年 %(value)s，达到目标 %(target)s（%(target_year)s）；"
                 "%(prev_year)s年为%(prev_status)s（%(prev_value)s）")
    for p in now:
        ind = ctx.indicators.get(p["indicator_id"])
        if ind is None:
            continue
        unit, value, target = ctx.unit(ind), _number(p["value"]), _number(p["target"])
        reason = template % {
            "code": ind.code, "name": ind.name, "year": ctx.year, "value": _with_unit(value, unit),
            "target": _with_unit(target, unit), "target_year": ctx.word("deadline", p["target_year"]),
            "prev_year": ctx.year - 1, "prev_status": ctx.word("status", p["previous_status"]),
            "prev_value": _with_unit(_number(p["previous_value"]), unit)}
        out.append(Candidate(ListKind.RED, ctx.counties[p["area"]], ind, reason, {
            "year": ctx.year, "value": value, "target": target, "previous_status": p["previous_status"]}))
    return out


@register("lagging_items", "严重滞后或逾期未达标的县市 × 指标", ListKind.BLACK)
def lagging_items(ctx: Context, params: dict) -> list[Candidate]:
    """Black: every county × indicator whose status in the data year is ``off_track``, or which is overdue (a
    deadline passed without achievement). ``params``: ``statuses`` (default ["off_track"])."""
    statuses = params.get("statuses") or [ProgressStatus.OFF_TRACK]
    rows = ctx.progress(ctx.year, Q(status__in=statuses) | Q(overdue=True))
    out = []
    template = _("%(code)s %(name)s：%(year)s年 %(value)s，预期 %(expected)s，目标 %(target)s（%(target_year)s）："
                 "%(status)s")
    overdue = _("，已逾期")
    for p in rows:
        ind = ctx.indicators.get(p["indicator_id"])
        if ind is None:
            continue
        unit = ctx.unit(ind)
        value, expected, target = _number(p["value"]), _number(p["expected"]), _number(p["target"])
        reason = template % {
            "code": ind.code, "name": ind.name, "year": ctx.year, "value": _with_unit(value, unit),
            "expected": _with_unit(expected, unit), "target": _with_unit(target, unit),
            "target_year": ctx.word("deadline", p["target_year"]), "status": ctx.word("status", p["status"])}
        if p["overdue"]:
            reason += overdue
        out.append(Candidate(ListKind.BLACK, ctx.counties[p["area"]], ind, reason, {
            "year": ctx.year, "value": value, "expected": expected, "target": target, "status": p["status"],
            "overdue": p["overdue"]}))
    return out


def worst(measured: dict[str, Decimal], count: int, *, highest: bool) -> list[str]:
    """The keys with the ``count`` worst (rounded) measures; ties with the last one are all included, so two
    counties shown alike are treated alike. Plain values in, plain values out (tested without the database)."""
    ordered = sorted(measured.items(), key=lambda kv: (-kv[1] if highest else kv[1], kv[0]))
    if len(ordered) <= count:
        return [k for k, _v in ordered]
    edge = ordered[count - 1][1]
    return [k for k, v in ordered if (v >= edge if highest else v <= edge)]


@register("worst_timeliness", "填报及时率最低的县市", ListKind.BLACK)
def worst_timeliness(ctx: Context, params: dict) -> list[Candidate]:
    """Black: the ``count`` counties (default 3) with the lowest share of expected figures submitted by the
    reporting deadline. Nothing when the year has no deadline (timeliness is not defined then)."""
    deadline, tallies = ctx.reporting
    if deadline is None:
        return []
    count = int(params.get("count", 3))
    measured = {code: share(t.on_time, t.expected) for code, t in tallies.items() if t.expected}
    out = []
    for code in worst(measured, count, highest=False):
        t = tallies[code]
        reason = _("%(year)s年度应填报 %(expected)s 项，截止日期（%(deadline)s）前提交 %(on_time)s 项，"
                   "及时率 %(share)s%%，全州最低的%(count)s个之一") % {
            "year": ctx.year, "expected": t.expected, "deadline": deadline.isoformat(),
            "on_time": t.on_time, "share": measured[code], "count": count}
        out.append(Candidate(ListKind.BLACK, ctx.counties[code], None, reason, {
            "year": ctx.year, "expected": t.expected, "on_time": t.on_time, "share": int(measured[code])}))
    return out


@register("worst_quality", "数据质量最差（退回率最高）的县市", ListKind.BLACK)
def worst_quality(ctx: Context, params: dict) -> list[Candidate]:
    """Black: the ``count`` counties (default 3) with the highest share of their expected figures that an
    official returned for correction at least once in the data year; a county with none returned is never
    listed."""
    _deadline, tallies = ctx.reporting
    count = int(params.get("count", 3))
    returned = ctx.returned
    measured, facts = {}, {}
    for county in ctx.counties.values():
        expected = tallies[county.code].expected
        n = returned.get(county.pk, 0)
        if expected and n:
            measured[county.code], facts[county.code] = share(n, expected), (n, expected)
    out = []
    for code in worst(measured, count, highest=True):
        n, expected = facts[code]
        reason = _("%(year)s年度应填报 %(expected)s 项，其中 %(n)s 项曾被退回修改，退回率 %(share)s%%，"
                   "全州最高的%(count)s个之一") % {"year": ctx.year, "expected": expected, "n": n,
                                                "share": measured[code], "count": count}
        out.append(Candidate(ListKind.BLACK, ctx.counties[code], None, reason, {
            "year": ctx.year, "expected": expected, "returned": n, "share": int(measured[code])}))
    return out
