"""Home per role and the prefecture dashboard (州级工作台)."""
from __future__ import annotations

from django.shortcuts import redirect, render

from liangshan_edu.roles import CLERK, county_of, role_of
from liangshan_edu.views import role_required


@role_required()
def home(request):
    """Officials, auditors and administrators land on the prefecture dashboard; a clerk on their county's page."""
    if role_of(request.user) == CLERK:
        county = county_of(request.user)
        if county is not None:
            return redirect("county-page", code=county.code)
    return prefecture_dashboard(request)


@role_required()
def prefecture_dashboard(request):
    return render(request, "dashboards/dashboard.html", {})
