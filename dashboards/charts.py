"""Plotly figures of the prefecture dashboard: the county map and the indicator × county heat map.

Built in Python and handed to the page as JSON (``static/js/charts.js`` draws them; ``static/js/links.js``
follows a click on a county or a cell). Only ``scatter`` and ``heatmap`` traces: the map is drawn as filled
polygons on plain axes, not as a geo trace, so plotly.js never fetches its world topojson from a CDN and the
partial bundle we serve is enough.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
from django.conf import settings
from plotly.colors import sample_colorscale

from assessment.charts import _json
from dashboards.display import STATUS_COLOURS, STATUS_ORDER

NO_VALUE = "#d9d9d9"


@dataclass(frozen=True)
class Shape:
    """One county's outline: rings of (lon, lat), its label point and its name as the boundary file has it."""

    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    label: tuple[float, float]


@lru_cache(maxsize=4)
def _shapes(path: str, mtime: float) -> tuple[Shape, ...]:
    with open(path, encoding="utf-8") as f:
        collection = json.load(f)
    shapes = []
    for feature in collection.get("features", []):
        props, geometry = feature.get("properties", {}), feature.get("geometry") or {}
        polygons = geometry.get("coordinates", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        # Exterior rings only: the one enclave in the file (冕宁 inside 喜德, 1 km²) is drawn over its host.
        rings = tuple(tuple((float(x), float(y)) for x, y, *_ in polygon[0]) for polygon in polygons if polygon)
        if not rings:
            continue
        biggest = max(rings, key=_area)
        shapes.append(Shape(str(props.get("code", "")), str(props.get("name", "")), rings, _centroid(biggest)))
    # Big counties first, so a small one (or an exclave) is drawn on top of its neighbour.
    return tuple(sorted(shapes, key=lambda s: -sum(_area(r) for r in s.rings)))


def county_shapes() -> tuple[Shape, ...]:
    """The county outlines of ``settings.COUNTY_BOUNDARIES_FILE`` (re-read when the file changes)."""
    path = Path(settings.COUNTY_BOUNDARIES_FILE)
    return _shapes(str(path), path.stat().st_mtime)


def drawn_codes() -> frozenset[str]:
    """The county codes the boundary file draws."""
    return frozenset(s.code for s in county_shapes())


def _area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))) / 2


def _centroid(ring) -> tuple[float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return ring[0]
    return cx / (3 * a), cy / (3 * a)


@dataclass(frozen=True)
class Measure:
    """What the map colours counties by: a share 0–1 per county code, its label and its colour scale."""

    code: str
    label: str
    colorscale: str
    higher_is_better: bool


def county_map(measure: Measure, shares: dict[str, float | None], names: dict[str, str],
               urls: dict[str, str], details: dict[str, str]) -> str:
    """A choropleth of the counties as filled polygons: colour by ``shares`` (None: grey), name at the label
    point, a click opens ``urls[code]``; ``details``: extra hover text per county."""
    fig = go.Figure()
    lats = []
    for shape in county_shapes():
        share = shares.get(shape.code)
        colour = NO_VALUE if share is None else sample_colorscale(measure.colorscale, [share])[0]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in shape.rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
            lats += [p[1] for p in ring]
        name = names.get(shape.code, shape.name)
        value = "—" if share is None else f"{share * 100:.0f}%"
        fig.add_scatter(x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines",
                        line=dict(color="#ffffff", width=1), hoveron="fills", name=name, showlegend=False,
                        text=f"{name}<br>{measure.label}: {value}{details.get(shape.code, '')}", hoverinfo="text",
                        meta=urls.get(shape.code, ""))
    shapes = county_shapes()
    fig.add_scatter(
        x=[s.label[0] for s in shapes], y=[s.label[1] for s in shapes], mode="text", showlegend=False,
        text=[names.get(s.code, s.name) for s in shapes], textfont=dict(size=11, color="#1a1a1a"),
        customdata=[urls.get(s.code, "") for s in shapes], hoverinfo="skip",
    )
    # The colour bar: an invisible marker carrying the scale.
    fig.add_scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                    marker=dict(colorscale=measure.colorscale, cmin=0, cmax=100, color=[0],
                                colorbar=dict(title=dict(text="%"), thickness=12, len=0.8)))
    mid = math.radians(sum(lats) / len(lats)) if lats else 0.49
    fig.update_layout(
        height=520, margin=dict(l=0, r=0, t=10, b=0), plot_bgcolor="#ffffff", dragmode=False,
        xaxis=dict(visible=False, fixedrange=True),
        # Degrees of longitude are shorter than degrees of latitude by cos(latitude).
        yaxis=dict(visible=False, fixedrange=True, scaleanchor="x", scaleratio=1 / math.cos(mid)),
    )
    return _json(fig)


def status_heatmap(indicators: list[tuple[str, str]], areas: list[tuple[str, str]],
                   cells: dict[tuple[str, str], tuple[str, str]], url_of) -> str:
    """Indicator × county heat map of status. ``indicators``: (code, label) rows; ``areas``: (code, name)
    columns; ``cells``: (indicator code, area) → (status, hover text); ``url_of(indicator, area)``: the link a
    click on a cell follows (the county × indicator detail)."""
    index = {s: i for i, s in enumerate(STATUS_ORDER)}
    z = [[None] * len(areas) for _ in indicators]
    text = [[""] * len(areas) for _ in indicators]
    links = [[""] * len(areas) for _ in indicators]
    for i, (code, _label) in enumerate(indicators):
        for j, (area, _name) in enumerate(areas):
            cell = cells.get((code, area))
            if cell is not None:
                z[i][j] = index[cell[0]]
                text[i][j] = cell[1]
                links[i][j] = url_of(code, area)
    n = len(STATUS_ORDER)
    colorscale = []
    for i, s in enumerate(STATUS_ORDER):
        colorscale += [[i / n, STATUS_COLOURS[s]], [(i + 1) / n, STATUS_COLOURS[s]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[name for _a, name in areas], y=[label for _c, label in indicators], text=text, customdata=links,
        hoverinfo="text", colorscale=colorscale, zmin=-0.5, zmax=n - 0.5, xgap=1, ygap=1,
        colorbar=dict(tickvals=list(range(n)), ticktext=[str(s.label) for s in STATUS_ORDER], thickness=12),
    ))
    fig.update_layout(height=max(300, 22 * len(indicators) + 110), margin=dict(l=10, r=10, t=10, b=70),
                      xaxis=dict(side="top", tickangle=-45, fixedrange=True),
                      yaxis=dict(autorange="reversed", automargin=True, tickfont=dict(size=11), fixedrange=True))
    return _json(fig)


def short(text: str, limit: int = 16) -> str:
    """A label short enough for an axis; the full text stays in the hover and the table."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["Measure", "county_map", "county_shapes", "status_heatmap", "short"]
