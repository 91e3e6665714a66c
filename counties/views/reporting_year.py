"""填报进度: the reporting of one year — completeness and timeliness per county × plan, its deadline, locking
the year and reopening it for one county."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from counties import reporting, services
from counties.errors import FigureError, Invalid
from counties.forms import CountyReasonForm, DeadlineForm
from counties.models import CountyReopening, Figure, ReportingYear
from counties.views.common import _check_year, _years
from indicators.models import Indicator
from liangshan_edu.roles import READERS, can_review
from liangshan_edu.views import role_required


@dataclass
class StatusCell:
    tally: reporting.Tally
    missing: list[Indicator]


@role_required(*READERS)
def reporting_status(request, year: int):
    """填报进度: deadline and lock of a year; completeness and timeliness per county × plan."""
    _check_year(year)
    if request.method == "POST":
        if not can_review(request.user):
            raise PermissionDenied
        return _reporting_post(request, year)
    report = reporting.completeness(year, figures=Figure.objects.visible_to(request.user))

    def cell(t: reporting.Tally, listed: bool = True) -> StatusCell:
        # Totals only count what is missing: listing it would repeat every cell of the row or column.
        return StatusCell(t, [report.indicators[i] for i in t.unsubmitted] if listed else [])

    rows = [(c, [cell(report.cell(c, p)) for p in report.plans], cell(report.county_total(c), False))
            for c in report.counties]
    ry = ReportingYear.objects.filter(year=year).select_related("locked_by").first()
    reopenings = (CountyReopening.objects.filter(reporting_year__year=year)
                  .select_related("county", "created_by").order_by("-created_at"))
    year_history = (ReportingYear.history.filter(year=year).select_related("history_user")
                    .order_by("-history_date")[:20])
    return render(request, "counties/reporting.html", {
        "year": year, "report": report, "rows": rows,
        "plan_totals": [cell(report.plan_total(p), False) for p in report.plans],
        "total": cell(report.total(), False),
        "reporting_year": ry, "reopenings": reopenings, "year_history": year_history,
        "deadline_form": DeadlineForm(initial={"deadline": ry.deadline if ry else None}),
        "county_form": CountyReasonForm(), "can_act": can_review(request.user), "years": _years(),
    })


def _reporting_post(request, year: int):
    action = request.POST.get("action", "")
    try:
        if action == "deadline":
            form = DeadlineForm(request.POST)
            if not form.is_valid():
                raise Invalid(_("请填写有效的截止日期。"))
            services.set_deadline(request.user, year, form.cleaned_data["deadline"])
            messages.success(request, _("%(year)s年度填报截止日期已设为%(date)s。") % {
                "year": year, "date": form.cleaned_data["deadline"]})
        elif action == "lock":
            services.lock_year(request.user, year)
            messages.success(request, _("%(year)s年度已锁定。") % {"year": year})
        elif action == "unlock":
            services.unlock_year(request.user, year)
            messages.success(request, _("%(year)s年度已解除锁定。") % {"year": year})
        elif action in ("reopen_county", "close_county"):
            form = CountyReasonForm(request.POST)
            if not form.is_valid():
                raise Invalid(_("请选择县市。"))
            county = form.cleaned_data["county"]
            if action == "reopen_county":
                reopening = services.reopen_year_for_county(request.user, year, county, form.cleaned_data["reason"])
                messages.success(request, _("已为%(county)s重新开放%(year)s年度：%(reason)s") % {
                    "county": county, "year": year, "reason": reopening.reason})
            else:
                services.close_year_for_county(request.user, year, county)
                messages.success(request, _("%(county)s的%(year)s年度已重新锁定。") % {"county": county, "year": year})
        else:
            messages.error(request, _("未知操作。"))
    except FigureError as exc:
        messages.error(request, exc.message)
    return redirect("reporting-status", year)
