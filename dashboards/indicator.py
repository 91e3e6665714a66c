"""The indicator page: the 17 counties side by side against their own targets, the prefecture, the trend."""
from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from indicators.models import Indicator
from liangshan_edu.views import role_required


@role_required()
def indicator_page(request, code: str):
    indicator = get_object_or_404(Indicator, code=code)
    return render(request, "dashboards/indicator.html", {"indicator": indicator})
