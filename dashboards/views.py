"""Home per role and the prefecture dashboard (州级工作台): the final evaluation's headline, the county map and the
indicator × county heat map."""
from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alarms import queries as alarm_queries
from assessment.choices import PREFECTURE, JobState, ProgressStatus
from assessment.models import RecomputeJob
from assessment.queries import default_year
from places.models import County
from counties.models import Figure
from counties.reporting import reporting_by_county
from dashboards import charts, summary
from dashboards.display import RESULT_ORDER, STATUS_ORDER, number
from dashboards.queries import chosen_year
from indicators.cycles import current_cycle
from indicators.models import Plan
from indicators.templatetags.catalogue import ind_name
from liangshan_edu.calendar import open_reporting_year
from liangshan_edu.roles import COUNTY_ROLES, READERS, can_recompute, county_of, role_of
from liangshan_edu.views import role_required

MEASURES = {
    "met": charts.Measure("met", gettext_lazy("目标达成率"), "YlGn", True),
    "off_track": charts.Measure("off_track", gettext_lazy("严重滞后指标占比"), "Reds", False),
    "reporting": charts.Measure("reporting", gettext_lazy("填报完成率"), "Blues", True),
}
# The heat map shows every county of Liangshan (17); were there many more, the ones with the most indicators
# off track, so the page stays light.
HEAT_MAX_AREAS = 40
LIST_MAX_AREAS = 40


@role_required()
def home(request):
    """Officials, auditors and administrators land on the prefecture dashboard; a clerk or a county's leader on
    their county's page."""
    if role_of(request.user) in COUNTY_ROLES:
        county = county_of(request.user)
        if county is not None:
            return redirect("county-page", code=county.code)
        return redirect("catalogue")
    return prefecture_dashboard(request)


@role_required(*READERS)
def prefecture_dashboard(request):
    """州级工作台: the cycle's final evaluation, the year's statuses and the open year's reporting, per county."""
    user = request.user
    latest = default_year(user)
    years = summary.years_with_progress(user)
    year, _default = chosen_year(request.GET.get("year"), years, latest)
    open_year = open_reporting_year()
    cycle = current_cycle()
    plans, plan_code = _plan_choice(cycle, request.GET.get("plan"))
    measure = MEASURES.get(request.GET.get("measure", ""), MEASURES["met"])

    counties = list(County.objects.order_by("code").values_list("code", "name", "short_name", "tier"))
    names = {code: short or name for code, name, short, _tier in counties}
    counts = summary.area_counts(user, cycle=cycle, year=year)
    reporting = reporting_by_county(open_year, figures=Figure.objects.visible_to(user))
    total = summary.totals(counts)
    prefecture = counts.get(PREFECTURE, summary.AreaCounts())
    rows = [{"code": code, "name": name, "tier": tier, "counts": counts.get(code, summary.AreaCounts()),
             "reporting": reporting.get(code), "url": reverse("county-page", args=[code])}
            for code, name, _short, tier in counties]
    county_map = _county_map(measure, rows, names, open_year)
    rows, listed_note = _listed(rows)
    heat, heat_note = _heat_map(user, year, plan_code, counts, names, [c[0] for c in counties])
    missing = sum(r.missing for r in reporting.values())
    job = RecomputeJob.objects.first() if can_recompute(user) else None
    return render(request, "dashboards/dashboard.html", {
        "cycle": cycle, "year": year, "latest": latest, "years": years, "open_year": open_year,
        "plans": plans, "plan_code": plan_code, "measures": MEASURES.values(), "measure": measure,
        "results": [(r, r.label, total.results.get(r, 0)) for r in RESULT_ORDER],
        "prefecture_results": [(r, r.label, prefecture.results.get(r, 0)) for r in RESULT_ORDER],
        "statuses": [(s, s.label, total.statuses.get(s, 0)) for s in STATUS_ORDER],
        "total": total, "missing": missing, "missing_counties": sum(1 for r in reporting.values() if r.missing),
        "rows": rows, "listed_note": listed_note, "map": county_map, "heat": heat, "heat_note": heat_note,
        "status_legend": [(s, s.label) for s in STATUS_ORDER],
        "job": job, "job_labels": dict(JobState.choices),
        "has_demo": Figure.objects.filter(is_demo=True).exists(),
        "colours": alarm_queries.counts_by_colour(user),
    })


def _plan_choice(cycle: str | None, asked: str | None) -> tuple[list[Plan], str]:
    """The cycle's plans and the one the heat map shows: ``?plan=`` when it is one of them, else the first."""
    plans = list(Plan.objects.filter(cycle=cycle) if cycle else Plan.objects.all())
    plan_code = asked or (plans[0].code if plans else "")
    if plan_code not in {p.code for p in plans} and plans:
        plan_code = plans[0].code
    return plans, plan_code


def _county_map(measure: charts.Measure, rows: list[dict], names: dict[str, str], open_year: int) -> charts.CountyMap:
    """The map of the counties coloured by ``measure``, each with its counts as a hover text and a link."""
    share_of = {
        "met": lambda row: row["counts"].met_share,
        "off_track": lambda row: row["counts"].off_track_share,
        "reporting": lambda row: row["reporting"].share if row["reporting"] else None,
    }[measure.code]
    drawn = [row for row in rows if row["code"] in charts.drawn_codes()]
    shares = {row["code"]: share_of(row) for row in drawn}
    details = {row["code"]: _("达标 %(met)s / %(all)s 项目标；严重滞后 %(off)s 项；%(year)s年度已报 %(done)s / %(exp)s") % {
        "met": row["counts"].met, "all": row["counts"].targets,
        "off": row["counts"].statuses.get(ProgressStatus.OFF_TRACK, 0), "year": open_year,
        "done": row["reporting"].submitted if row["reporting"] else 0,
        "exp": row["reporting"].expected if row["reporting"] else 0} for row in drawn}
    return charts.county_map(measure, shares, names, {r["code"]: r["url"] for r in drawn}, details)


def _listed(rows: list[dict]) -> tuple[list[dict], str]:
    """The counties the table lists: all of Liangshan's 17; were there many more, those furthest from their
    targets, with a note saying so."""
    if len(rows) <= LIST_MAX_AREAS:
        return rows, ""
    rows = sorted(rows, key=lambda row: (row["counts"].met_share or 0, row["code"]))[:LIST_MAX_AREAS]
    return rows, _("县市较多，仅列出目标达成率最低的 %(n)s 个。") % {"n": LIST_MAX_AREAS}


def _heat_map(user, year, plan_code, counts, names, codes) -> tuple[charts.HeatMap | None, str]:
    if year is None or not plan_code:
        return None, ""
    note = ""
    if len(codes) > HEAT_MAX_AREAS:
        codes = sorted(codes, key=lambda a: -counts.get(a, summary.AreaCounts()).statuses.get(
            ProgressStatus.OFF_TRACK, 0))[:HEAT_MAX_AREAS]
        note = _("县市较多，仅显示严重滞后指标最多的 %(n)s 个。") % {"n": HEAT_MAX_AREAS}
        codes.sort()
    areas = codes + [PREFECTURE]
    labels = {s.value: s.label for s in ProgressStatus}
    indicators: dict[str, str] = {}
    cells = {}
    for area, code, name, name_en, status, value, target, unit in summary.heat_rows(
            user, year=year, plan_code=plan_code, areas=areas):
        display = ind_name(_Named(name, name_en))
        indicators.setdefault(code, f"{charts.short(display)} · {code}")
        area_name = names.get(area, _("全州") if area == PREFECTURE else area)
        cells[(code, area)] = (status, labels[status], f"{area_name} · {code} {display}\n{labels[status]}: "
                                                       f"{number(value)} / {number(target)} {unit}")
    if not cells:
        return None, note
    columns = [(a, names.get(a, _("全州") if a == PREFECTURE else a)) for a in areas
               if any((c, a) in cells for c in indicators)]
    base = {code: reverse("indicator-page", args=[code]) for code in indicators}
    rows = [(code, label, f"{base[code]}?year={year}") for code, label in indicators.items()]
    return charts.status_heatmap(rows, columns, cells,
                                 lambda code, area: f"{base[code]}?year={year}#area-{area}"), note


class _Named:
    """What ``ind_name`` reads of an indicator, from a values_list row."""

    def __init__(self, name: str, name_en: str) -> None:
        self.name, self.name_en = name, name_en

