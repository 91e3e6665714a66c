"""The indicator page: the 17 counties side by side against their own targets, the prefecture, the trend.

A fixed number of queries whatever the number of counties: the indicator (with plan, task, unit), its task's
units (two), its targets and their counties (two), the counties, the default year, the progress rows of every
year (area, year, value, target only), the shown year's full progress rows, the shown year's approved figures
and the evaluation rows. The table (with each county's bar drawn as SVG in its row) pages at ``PAGE_SIZE`` counties (the 17 fit on one page; at
3,000 counties rendering every row would take over a second), the trend summarises many counties by their
minimum, median and maximum, and the evaluation summary counts every county. A clerk sees their county and the prefecture only: every read goes through the
user-scoped querysets.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from assessment.choices import PREFECTURE, ProgressStatus
from assessment.scope import judged_as
from assessment.queries import default_year, evaluation_visible_to, progress_visible_to
from counties.choices import FigureStatus
from places.models import County
from counties.models import Figure
from counties.reporting import CatalogueEntry
from dashboards import county_charts
from dashboards.display import RESULT_ORDER
from dashboards.queries import ResultView, by_deadline, chosen_year, evaluation_view
from indicators.describe import target_scope
from indicators.models import Indicator
from liangshan_edu.views import role_required
from indicators.choices import Level, Rollup

# Above this many counties the trend draws their minimum, median and maximum instead of a line each.
MAX_COUNTY_LINES = 30
# The table and the bar chart show this many counties a page: 17 fit on one, 3,000 would take seconds to render.
PAGE_SIZE = 100
PROGRESS_FIELDS = ("area", "value", "target", "target_year", "expected", "status", "overdue", "projected",
                   "will_meet")
EVALUATION_FIELDS = ("area", "result", "met_year", "latest_value", "latest_year", "target", "target_year",
                     "years_met", "years_reported")


@dataclass
class AreaRow:
    """One county (or the prefecture) in the shown year."""

    code: str
    name: str
    county: County | None
    value: Decimal | None = None
    scope: str = ""
    progress: dict | None = None
    results: list[ResultView] = field(default_factory=list)
    bar: county_charts.BarMark | None = None

    @property
    def status(self) -> str | None:
        return self.progress["status"] if self.progress else None

    @property
    def status_label(self) -> str:
        return str(ProgressStatus(self.status).label) if self.status else ""


def _result_summary(evaluations: list[dict]) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """Per deadline, how many counties met the target on time, late, missed it or have not reported."""
    counts: dict[int | None, Counter] = defaultdict(Counter)
    for e in evaluations:
        if e["area"] != PREFECTURE:
            counts[e["target_year"]][e["result"]] += 1
    out = []
    for year in sorted(counts, key=lambda y: (y is None, y or 0)):
        label = _("%(year)s年目标") % {"year": year} if year else _("每年目标")
        out.append((label, [(r.value, str(r.label), counts[year].get(r, 0)) for r in RESULT_ORDER]))
    return out


def _trend(indicator: Indicator, trend: list[tuple], names: dict[str, str], targets: list,
           years: list[int]) -> str | None:
    by_area: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    prefecture_targets = set()
    for area, year, value, target, target_year in trend:
        if value is not None:
            by_area[area].append((year, value))
        if area == PREFECTURE and target is not None:
            prefecture_targets.add((target_year, target))
    if not by_area:
        return None
    county_areas = [a for a in by_area if a != PREFECTURE]
    lines: list[county_charts.TrendLine] = []
    if len(county_areas) <= MAX_COUNTY_LINES:
        lines += [county_charts.TrendLine(names.get(a, a), sorted(by_area[a])) for a in sorted(county_areas)]
    else:
        per_year: dict[int, list[Decimal]] = defaultdict(list)
        for a in county_areas:
            for year, value in by_area[a]:
                per_year[year].append(value)
        ys = sorted(per_year)
        for label, fn in ((_("县市最低"), min), (_("县市中位数"), median), (_("县市最高"), max)):
            lines.append(county_charts.TrendLine(label, [(y, fn(per_year[y])) for y in ys], band=True))
    if PREFECTURE in by_area:
        lines.append(county_charts.TrendLine(_("全州"), sorted(by_area[PREFECTURE]), prefecture=True))
    markers = []
    if indicator.level == Level.COUNTY:
        markers += [(_("%(scope)s目标") % {"scope": target_scope(spec, indicator.level)}, spec.year, spec.value,
                     False) for spec in targets]
    markers += [(_("全州目标"), ty, tv, True)
                for ty, tv in sorted(prefecture_targets, key=lambda t: (t[0] is None, t[0] or 0))]
    prefecture_axis = bool(county_areas) and PREFECTURE in by_area and indicator.rollup != Rollup.RATIO
    return county_charts.indicator_trend(lines, markers, years, indicator.unit.code, prefecture_axis)


@role_required()
def indicator_page(request, code: str):
    """One indicator across the counties the user may read and the prefecture, in the chosen year, with its
    trend and the final evaluation."""
    indicator = get_object_or_404(Indicator.objects.select_related("plan", "task", "unit"), code=code)
    user = request.user
    task = indicator.task
    lead_units = list(task.lead_units.all()) if task else []
    cooperating_units = list(task.cooperating_units.all()) if task else []
    targets = list(indicator.targets.prefetch_related("counties")
                   .order_by(F("year").asc(nulls_last=True), F("tier").asc(nulls_first=True)))
    specs = [t.spec() for t in targets]
    entry = CatalogueEntry(indicator, specs)
    counties = list(County.objects.visible_to(user).order_by("code"))
    names = {c.code: c.short_name or c.name for c in counties}
    names[PREFECTURE] = _("全州")
    default = default_year(user)

    progress = progress_visible_to(user).filter(indicator=indicator).order_by()
    trend = list(progress.values_list("area", "year", "value", "target", "target_year"))
    years = sorted({t[1] for t in trend})
    year, is_default = chosen_year(request.GET.get("year"), years, default)
    shown, approved, evaluations = _shown_year(user, indicator, progress, year)
    kept = [c for c in counties
            if c.code in shown or c.code in approved or (year and entry.applies_to(c, year))]
    page = Paginator(kept, PAGE_SIZE).get_page(request.GET.get("page"))
    results = _results_by_area(indicator, evaluations, {c.code for c in page} | {PREFECTURE})
    rows, prefecture = _area_rows(entry, page, year, shown, approved, results)
    bars = _draw_bars(indicator, rows, prefecture, names) if rows else None
    return render(request, "dashboards/indicator.html", {
        "indicator": indicator, "lead_units": lead_units, "cooperating_units": cooperating_units,
        "targets": targets, "year": year, "years": years, "is_default_year": is_default, "default_year": default,
        "rows": rows, "page": page, "query": urlencode({"year": year}) if year else "", "prefecture": prefecture, "bars": bars,
        "trend_json": _trend(indicator, trend, names, specs, years),
        "result_summary": _result_summary(evaluations),
        "counts_counties": indicator.level == Level.COUNTY and indicator.rollup in ("all", "any", "count"),
    })


def _shown_year(user, indicator: Indicator, progress, year: int | None) -> tuple[dict, dict, list[dict]]:
    """The shown year's progress rows by area and approved county figures by county code, and the indicator's
    evaluation rows by deadline — all as the user may read them."""
    shown = {p["area"]: p for p in progress.filter(year=year).values(*PROGRESS_FIELDS)}
    approved = dict(Figure.objects.visible_to(user).filter(indicator=indicator, year=year, county__isnull=False,
                                                           status=FigureStatus.APPROVED)
                    .values_list("county__code", "value"))
    evaluations = sorted(evaluation_visible_to(user).filter(indicator=indicator).order_by().values(*EVALUATION_FIELDS),
                         key=by_deadline)
    return shown, approved, evaluations


def _results_by_area(indicator: Indicator, evaluations: list[dict], areas: set[str]) -> dict[str, list[ResultView]]:
    """The final evaluation's judgements of ``areas``, each as its area is judged (a count of counties for the
    prefecture of an ``all`` roll-up)."""
    results: dict[str, list[ResultView]] = defaultdict(list)
    for e in evaluations:
        if e["area"] in areas:
            direction = judged_as(indicator.kind, indicator.direction, indicator.level, indicator.rollup, e["area"])[1]
            results[e["area"]].append(evaluation_view(e, direction))
    return results


def _area_rows(entry: CatalogueEntry, page, year: int | None, shown: dict, approved: dict,
               results: dict[str, list[ResultView]]) -> tuple[list[AreaRow], AreaRow | None]:
    """The counties of the page, each against its own target, and the prefecture (None without a row)."""
    level = entry.indicator.level
    rows: list[AreaRow] = []
    for county in page:
        p = shown.get(county.code)
        spec = entry.target(county, year) if year else None
        rows.append(AreaRow(code=county.code, name=county.name, county=county,
                            value=p["value"] if p else approved.get(county.code), progress=p,
                            scope=target_scope(spec, level) if spec and p else "",
                            results=results.get(county.code, [])))
    pref = shown.get(PREFECTURE)
    prefecture = AreaRow(code=PREFECTURE, name=_("全州"), county=None, value=pref["value"] if pref else None,
                         progress=pref, results=results.get(PREFECTURE, [])) if pref or PREFECTURE in results else None
    return rows, prefecture


def _draw_bars(indicator: Indicator, rows: list[AreaRow], prefecture: AreaRow | None,
               names: dict[str, str]) -> county_charts.BarChart:
    """Each county's bar against its target, drawn into its row; a prefecture total on the counties' scale (a
    rate) gets its own bar and a line through theirs."""
    def bar(r: AreaRow) -> county_charts.CountyBar:
        return county_charts.CountyBar(names.get(r.code, r.name), r.value,
                                       r.progress["target"] if r.progress else None, r.status)

    on_scale = prefecture if prefecture and indicator.rollup == Rollup.RATIO else None
    bars = county_charts.county_bars([bar(r) for r in rows], indicator.unit.code, on_scale and bar(on_scale))
    for r, mark in zip(rows, bars.marks):
        r.bar = mark
    if on_scale:
        on_scale.bar = bars.prefecture
    return bars
