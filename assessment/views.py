"""Progress pages of the first release, now superseded by the dashboards app: their addresses keep working."""
from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from liangshan_edu.views import role_required


@role_required()
def overview(request):
    """进度总览 became the heat map of the prefecture dashboard (same ``year`` and ``plan`` parameters)."""
    query = request.GET.urlencode()
    return redirect(reverse("home") + (f"?{query}" if query else "") + "#heatmap")


@role_required()
def indicator_progress(request, code: str):
    """One indicator's progress became the indicator page."""
    return redirect("indicator-page", code=code)
