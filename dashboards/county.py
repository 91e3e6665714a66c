"""The county page (昭觉县 …): every indicator of the county by plan, charts, final evaluation, what is missing."""
from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from counties.models import County
from liangshan_edu.views import role_required


@role_required()
def county_page(request, code: str):
    county = get_object_or_404(County, code=code)
    return render(request, "dashboards/county.html", {"county": county})
