"""Progress pages: where every county stands on every target, and the recompute button for officials."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Max
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from assessment import charts
from assessment.choices import PREFECTURE, JobState, ProgressStatus
from assessment.models import RecomputeJob
from assessment.queries import progress_visible_to
from counties.models import County, Figure
from indicators.models import Indicator, Plan
from indicators.templatetags.catalogue import ind_name
from liangshan_edu.roles import is_official
from liangshan_edu.views import role_required


def _area_names() -> dict[str, str]:
    names = dict(County.objects.values_list("code", "short_name"))
    names[PREFECTURE] = _("全州")
    return names


@role_required()
def overview(request):
    """进度总览: status counts per county and the county × indicator heat map for a year and plan."""
    visible = progress_visible_to(request.user)
    # The latest year with approved figures (milestones carry forward, so progress rows alone would say 2025).
    latest = Figure.objects.visible_to(request.user).approved().aggregate(y=Max("year"))["y"]
    years = sorted(set(visible.values_list("year", flat=True)))
    try:
        year = int(request.GET.get("year") or latest or 0)
    except ValueError:
        year = latest or 0
    plans = list(Plan.objects.all())
    plan_code = request.GET.get("plan") or (plans[0].code if plans else "")
    # The totals, the bars and the heat map all show the chosen year and plan.
    rows = visible.filter(year=year, indicator__plan__code=plan_code)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for area, status in rows.values_list("area", "status"):
        counts[area][status] += 1
    names = _area_names()
    order = [c for c in names if c in counts]
    ordered_counts = {a: counts[a] for a in order}
    plan_rows = (rows.order_by("indicator__order", "area")
                 .values_list("area", "indicator__code", "indicator__name", "status", "value", "target",
                              "indicator__unit__code"))
    status_labels = dict(ProgressStatus.choices)
    heat = [(a, code, st, f"{names.get(a, a)} · {code} {name}<br>{status_labels[st]}: "
             f"{'—' if v is None else f'{v:g}'} / {'—' if t is None else f'{t:g}'} {unit}")
            for a, code, name, st, v, t, unit in plan_rows]
    heat.sort(key=lambda r: order.index(r[0]) if r[0] in order else len(order))
    codes = list(dict.fromkeys(code for _a, code, *_rest in plan_rows))
    totals = defaultdict(int)
    for area_counts in ordered_counts.values():
        for st, n in area_counts.items():
            totals[st] += n
    job = RecomputeJob.objects.first() if is_official(request.user) else None
    has_demo = County.objects.filter(figures__is_demo=True).exists()
    return render(request, "assessment/overview.html", {
        "year": year, "years": years, "plans": plans, "plan_code": plan_code,
        "totals": [(s, status_labels[s], totals.get(s, 0)) for s in charts.STATUS_ORDER],
        "bars_json": charts.status_bars(ordered_counts, names) if ordered_counts else None,
        "heat_json": charts.status_heatmap(heat, names, codes) if heat else None,
        "job": job, "job_labels": dict(JobState.choices), "has_demo": has_demo,
    })


@role_required()
def indicator_progress(request, code: str):
    """One indicator: every county's (and the prefecture's) approved values over the years, with status."""
    indicator = get_object_or_404(Indicator.objects.select_related("plan", "unit"), code=code)
    rows = list(progress_visible_to(request.user).filter(indicator=indicator).order_by("area", "year"))
    names = _area_names()
    series: dict[str, list] = defaultdict(list)
    latest: dict[str, object] = {}
    for p in rows:
        if p.value is not None:
            series[names.get(p.area, p.area)].append((p.year, float(p.value)))
        latest[p.area] = p
    final = next((p for p in reversed(rows) if p.target is not None), None)
    title = _("%(name)s（%(unit)s）") % {"name": f"{indicator.code} {ind_name(indicator)}", "unit": indicator.unit.code}
    chart = charts.indicator_lines(series, float(final.target) if final else None,
                                   final.target_year if final else None, title) if series else None
    table = [(names.get(a, a), p) for a, p in latest.items()]
    return render(request, "assessment/indicator_progress.html",
                  {"indicator": indicator, "chart_json": chart, "table": table})
