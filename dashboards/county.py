"""The county page (昭觉县 …): every indicator of the county by plan, charts, final evaluation, what is missing.

A fixed number of queries whatever the size of the catalogue or the number of counties: the county, the
user's role, the default year, the catalogue (three), the county's progress rows of every year, its and the
prefecture's evaluation rows, its figures of the shown and the open year, and the open year's deadline.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from alarms import queries as alarm_queries
from assessment.choices import PREFECTURE, EvaluationResult, ProgressStatus
from assessment.scope import judged_as
from assessment.queries import default_year, evaluation_visible_to, progress_visible_to
from counties.choices import FigureStatus
from places.models import County
from redblack.queries import county_panel
from counties.models import Figure, ReportingYear
from counties.reporting import CatalogueEntry, FigureFacts, Tally, load_catalogue, tally
from dashboards import county_charts
from dashboards.queries import ResultView, by_deadline, chosen_year, evaluation_view
from indicators.describe import target_scope
from indicators.models import Indicator, Plan
from indicators.targets import TargetSpec
from indicators.templatetags.catalogue import plan_name
from liangshan_edu.calendar import open_reporting_year
from scoring.queries import published_years
from liangshan_edu.roles import CLERK, can_read_county, role_of
from liangshan_edu.views import role_required
from indicators.choices import Level

PROGRESS_FIELDS = ("indicator_id", "year", "value", "target", "target_year", "expected", "status", "overdue",
                   "projected", "will_meet")
EVALUATION_FIELDS = ("area", "indicator_id", "indicator__plan_id", "result", "met_year", "latest_value",
                     "latest_year", "target", "target_year", "years_met", "years_reported")


@dataclass
class IndicatorRow:
    """One indicator of the county in the shown year."""

    indicator: Indicator
    target: TargetSpec | None
    scope: str
    value: Decimal | None = None
    progress: dict | None = None
    results: list[ResultView] = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        """The target's condition on a county attribute leaves this county out in the year (the engine wrote no
        row for it: an undecided condition is a 待确定 row, not none)."""
        return not self.progress and self.target is not None and self.target.condition is not None

    @property
    def status(self) -> str | None:
        if self.progress:
            return self.progress["status"]
        if self.excluded:
            return None
        # A prefecture-wide indicator: the county reports its part of the 全州 total and has no status of its own.
        return None if self.indicator.level == Level.PREFECTURE else ProgressStatus.NO_DATA

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label) if self.status else ""


@dataclass
class PlanBlock:
    plan: Plan
    rows: list[IndicatorRow]
    trajectory: dict[int, Counter]
    chart_json: str | None = None

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        counts = Counter(r.status for r in self.rows if r.status)
        return [(s.value, str(s.label), counts.get(s, 0)) for s in county_charts.TRAJECTORY_ORDER]

    @property
    def trajectory_table(self) -> list[tuple[int, list[int], int]]:
        return [(y, [self.trajectory[y].get(s, 0) for s in county_charts.TRAJECTORY_ORDER],
                 sum(self.trajectory[y].values())) for y in sorted(self.trajectory)]


@dataclass
class OpenYear:
    """The open reporting year: what the county still has to enter, submit or correct."""

    year: int
    deadline: object
    tally: Tally
    not_entered: list[Indicator]
    drafts: list[Indicator]
    submitted: list[Indicator]
    returned: list[tuple[Indicator, str]]


def _open_year(county: County, catalogue: list[CatalogueEntry], figures: list[dict], year: int) -> OpenYear:
    """Counts by ``counties.reporting.tally`` (the same counting as the reporting-status page), lists by state."""
    expected = {e.indicator.pk: e.indicator for e in catalogue if e.applies_to(county, year)}
    own = {f["indicator_id"]: f for f in figures if f["year"] == year and f["indicator_id"] in expected}
    facts = {i: FigureFacts(f["status"], f["value"] is not None, f["submitted_at"]) for i, f in own.items()}
    ry = ReportingYear.objects.filter(year=year).first()
    deadline = ry.deadline if ry else None
    counted = tally(list(expected), facts, deadline)
    by_status: dict[str, list[dict]] = defaultdict(list)
    for f in own.values():
        by_status[f["status"]].append(f)
    return OpenYear(
        year=year, deadline=deadline, tally=counted,
        not_entered=[expected[i] for i in counted.empty],
        drafts=[expected[f["indicator_id"]] for f in by_status[FigureStatus.DRAFT] if f["value"] is not None],
        submitted=[expected[f["indicator_id"]] for f in by_status[FigureStatus.SUBMITTED]],
        returned=[(expected[f["indicator_id"]], f["return_reason"]) for f in by_status[FigureStatus.RETURNED]],
    )


def _plan_shares(plans: list[Plan], evaluations: list[dict], code: str) -> list[county_charts.PlanShare]:
    counts: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for e in evaluations:
        counts[(e["area"], e["indicator__plan_id"])][e["result"]] += 1
    shares = []
    for plan in plans:
        own = counts.get((code, plan.pk))
        if not own:
            continue
        pref = counts.get((PREFECTURE, plan.pk))
        pref_share = None
        if pref:
            met = pref[EvaluationResult.MET_ON_TIME] + pref[EvaluationResult.MET_LATE]
            pref_share = round(met * 100 / sum(pref.values()), 1)
        shares.append(county_charts.PlanShare(
            label=plan_name(plan, "short"), total=sum(own.values()), on_time=own[EvaluationResult.MET_ON_TIME],
            late=own[EvaluationResult.MET_LATE], missed=own[EvaluationResult.MISSED],
            no_data=own[EvaluationResult.NO_DATA], prefecture=pref_share))
    return shares


@role_required()
def county_page(request, code: str):
    """Every indicator of one county by plan in the chosen year, the final evaluation and what the open year
    still lacks."""
    county = get_object_or_404(County, code=code)
    user = request.user
    if not can_read_county(user, county):
        raise PermissionDenied
    default = default_year(user)
    catalogue = load_catalogue()
    progress_rows = list(progress_visible_to(user).filter(area=county.code).order_by()
                         .values(*PROGRESS_FIELDS))
    years = sorted({p["year"] for p in progress_rows})
    year, is_default = chosen_year(request.GET.get("year"), years, default)
    open_year = open_reporting_year()
    evaluations = list(evaluation_visible_to(user).filter(area__in=[county.code, PREFECTURE]).order_by()
                       .values(*EVALUATION_FIELDS))
    figures = list(Figure.objects.visible_to(user).filter(county=county, year__in={year or open_year, open_year})
                   .order_by().values("indicator_id", "year", "value", "status", "submitted_at", "return_reason"))
    blocks = _plan_blocks(county, catalogue, year, progress_rows, figures,
                          _results_by_indicator(county, catalogue, evaluations))
    shares = _plan_shares([b.plan for b in blocks], evaluations, county.code)
    role = role_of(user)
    return render(request, "dashboards/county.html", {
        "scoring_year": next(iter(published_years()), None),
        "county": county, "year": year, "years": years, "is_default_year": is_default, "default_year": default,
        "blocks": blocks, "shares": shares,
        "open": _open_year(county, catalogue, figures, open_year),
        "is_own_clerk": role == CLERK, "can_open_entry": role != CLERK, "redblack": county_panel(user, county),
        "status_order": [(s.value, str(s.label)) for s in county_charts.TRAJECTORY_ORDER],
        "colours": alarm_queries.counts_by_colour(user, county), "colour_county": county,
        "alarms": alarm_queries.active_for_county(user, county),
    })


def _results_by_indicator(county: County, catalogue: list[CatalogueEntry],
                          evaluations: list[dict]) -> dict[int, list[ResultView]]:
    """The county's final-evaluation judgements per indicator of the catalogue, by deadline."""
    indicators = {e.indicator.pk: e.indicator for e in catalogue}
    results: dict[int, list[ResultView]] = defaultdict(list)
    for e in sorted((e for e in evaluations if e["area"] == county.code), key=by_deadline):
        ind = indicators.get(e["indicator_id"])
        if ind is not None:
            direction = judged_as(ind.kind, ind.direction, ind.level, ind.rollup, county.code)[1]
            results[e["indicator_id"]].append(evaluation_view(e, direction))
    return results


def _plan_blocks(county: County, catalogue: list[CatalogueEntry], year: int | None, progress_rows: list[dict],
                 figures: list[dict], results: dict[int, list[ResultView]]) -> list[PlanBlock]:
    """The indicators applying to the county in ``year``, by plan, each with its target, value and status, and
    each plan's statuses over the years as a chart."""
    shown = {p["indicator_id"]: p for p in progress_rows if p["year"] == year}
    approved = {f["indicator_id"]: f["value"] for f in figures
                if f["year"] == year and f["status"] == FigureStatus.APPROVED}
    trajectory = _trajectories(catalogue, progress_rows)
    blocks: dict[int, PlanBlock] = {}
    for entry in catalogue:
        ind = entry.indicator
        # An indicator whose condition leaves the county out is listed, as 不适用 with the plan's words.
        if year is None or not entry.applies_to(county, year, by_condition=False):
            continue
        spec = entry.target(county, year)
        progress = shown.get(ind.pk)
        row = IndicatorRow(indicator=ind, target=spec, scope=target_scope(spec, ind.level) if spec else "",
                           value=progress["value"] if progress else approved.get(ind.pk), progress=progress,
                           results=results.get(ind.pk, []))
        block = blocks.get(ind.plan_id)
        if block is None:
            block = blocks[ind.plan_id] = PlanBlock(ind.plan, [], trajectory.get(ind.plan_id, {}))
        block.rows.append(row)
    for block in blocks.values():
        if block.trajectory:
            block.chart_json = county_charts.plan_trajectory(block.trajectory)
    return list(blocks.values())


def _trajectories(catalogue: list[CatalogueEntry], progress_rows: list[dict]) -> dict[int, dict[int, Counter]]:
    """Per plan and year, how many of the county's indicators had each status."""
    trajectory: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    plan_of = {e.indicator.pk: e.indicator.plan_id for e in catalogue}
    for p in progress_rows:
        if p["indicator_id"] in plan_of:
            trajectory[plan_of[p["indicator_id"]]][p["year"]][p["status"]] += 1
    return trajectory
