from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from indicators.filters import IndicatorFilter
from indicators.models import Indicator, Plan, Target, Task
from liangshan_edu.views import role_required

INDICATORS = (Indicator.objects.filter(retired=False).select_related("plan", "task", "unit")
              .prefetch_related(Prefetch("targets", queryset=Target.objects.prefetch_related("counties")),
                                "task__lead_units", "task__cooperating_units"))

# Retired indicators kept as a reference to the one indicator that states the same requirement in another plan:
# the plan shows where its requirement is judged instead of a second copy of it.
REFERENCES = Indicator.objects.filter(retired=True, same_as__isnull=False).select_related("same_as", "same_as__plan")


@role_required()
def catalogue(request):
    """指标目录: every indicator with its targets; search and filters."""
    filterset = IndicatorFilter(request.GET or None, queryset=INDICATORS)
    indicators = filterset.qs if filterset.is_bound else INDICATORS
    plans = Plan.objects.annotate(n=Count("indicators"))
    return render(request, "indicators/catalogue.html",
                  {"filter": filterset, "indicators": indicators, "plans": plans})


@role_required()
def plan_detail(request, code: str):
    """One plan: its goals, then its tasks with their responsible units and indicators."""
    plan = get_object_or_404(Plan, code=code)
    tasks = (Task.objects.filter(plan=plan).prefetch_related(
        "lead_units", "cooperating_units",
        Prefetch("indicators", queryset=INDICATORS.filter(plan=plan)),
        Prefetch("indicators", queryset=REFERENCES.filter(plan=plan), to_attr="references")))
    goal_indicators = INDICATORS.filter(plan=plan, task__isnull=True)
    return render(request, "indicators/plan_detail.html",
                  {"plan": plan, "tasks": tasks, "goal_indicators": goal_indicators})


@role_required()
def indicator_detail(request, code: str):
    """One indicator. A retired indicator that states the same requirement as another (``same_as``, e.g. VOC-11 →
    HS-02, 普职比大体相当 in two plans) leads to the one that is judged."""
    reference = REFERENCES.filter(code=code).first()
    if reference is not None:
        return redirect("indicator-detail", code=reference.same_as.code, permanent=True)
    indicator = get_object_or_404(INDICATORS, code=code)
    return render(request, "indicators/indicator_detail.html", {"indicator": indicator})
