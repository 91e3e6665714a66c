"""Plotly figures built in Python and handed to the page as JSON (static/js/charts.js draws them)."""
from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from assessment.choices import ProgressStatus

STATUS_ORDER = [ProgressStatus.NOT_DETERMINED, ProgressStatus.NOT_DUE, ProgressStatus.NO_DATA,
                ProgressStatus.OFF_TRACK, ProgressStatus.LAGGING, ProgressStatus.ON_TRACK, ProgressStatus.ACHIEVED]
STATUS_COLOURS = {
    ProgressStatus.NOT_DETERMINED: "#f5f5f5",
    ProgressStatus.NOT_DUE: "#cfd8dc",
    ProgressStatus.NO_DATA: "#e0e0e0",
    ProgressStatus.OFF_TRACK: "#e53935",
    ProgressStatus.LAGGING: "#ffb74d",
    ProgressStatus.ON_TRACK: "#81c784",
    ProgressStatus.ACHIEVED: "#2e7d32",
}


def status_bars(counts: dict[str, dict[str, int]], area_names: dict[str, str]) -> str:
    """A stacked bar per county: how many indicators are in each status."""
    areas = list(counts)
    fig = go.Figure()
    for status in STATUS_ORDER:
        fig.add_bar(name=str(status.label), x=[area_names.get(a, a) for a in areas],
                    y=[counts[a].get(status, 0) for a in areas], marker_color=STATUS_COLOURS[status])
    fig.update_layout(barmode="stack", height=380, margin=dict(l=40, r=10, t=30, b=80),
                      legend=dict(orientation="h", y=1.12), yaxis_title=_("指标数"))
    return _json(fig)


def status_heatmap(rows: list[tuple[str, str, str, str]], area_names: dict[str, str],
                   code_order: list[str]) -> str:
    """County × indicator heat map of status. ``rows``: (area, indicator code, status, hover text)."""
    areas = list(dict.fromkeys(r[0] for r in rows))
    codes = code_order or list(dict.fromkeys(r[1] for r in rows))
    index = {s: i for i, s in enumerate(STATUS_ORDER)}
    z = [[None] * len(codes) for _ in areas]
    text = [[""] * len(codes) for _ in areas]
    ai = {a: i for i, a in enumerate(areas)}
    ci = {c: i for i, c in enumerate(codes)}
    for area, code, status, hover in rows:
        z[ai[area]][ci[code]] = index[status]
        text[ai[area]][ci[code]] = hover
    n = len(STATUS_ORDER)
    colorscale = []
    for i, s in enumerate(STATUS_ORDER):
        colorscale += [[i / n, STATUS_COLOURS[s]], [(i + 1) / n, STATUS_COLOURS[s]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=codes, y=[area_names.get(a, a) for a in areas], text=text, hoverinfo="text",
        colorscale=colorscale, zmin=-0.5, zmax=n - 0.5, xgap=1, ygap=1,
        colorbar=dict(tickvals=list(range(n)), ticktext=[str(s.label) for s in STATUS_ORDER]),
    ))
    fig.update_layout(height=max(320, 26 * len(areas) + 120), margin=dict(l=90, r=10, t=20, b=90),
                      xaxis=dict(tickangle=-60, tickfont=dict(size=10)), yaxis=dict(autorange="reversed"))
    return _json(fig)


def indicator_lines(series: dict[str, list[tuple[int, float]]], target: float | None, target_year: int | None,
                    title: str) -> str:
    """Approved values by year for each area, with the target as a marker."""
    fig = go.Figure()
    for name, points in series.items():
        fig.add_scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers", name=name)
    if target is not None and target_year is not None:
        fig.add_scatter(x=[target_year], y=[target], mode="markers", name=_("目标"),
                        marker=dict(symbol="star", size=14, color="#0b6e4f"))
    fig.update_layout(height=380, margin=dict(l=40, r=10, t=40, b=40), title=title,
                      xaxis=dict(dtick=1), legend=dict(orientation="h", y=-0.2))
    return _json(fig)


def figure_json(fig: go.Figure) -> str:
    """The figure as JSON safe to embed in a <script> element."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_json = figure_json
