"""The prefecture dashboard's two pictures, drawn on the server: the county map as an inline SVG and the
indicator × county heat map as an HTML table.

No plotly.js on the dashboard (docs/lighthouse.md): the map is one SVG ``<path>`` per county inside an ``<a>``
to its page (a ``<title>`` tooltip with the name and the value, a colour ramp below it), the heat map one linked
table cell per county × indicator coloured by status (the status pills' classes). Both work without JavaScript,
by keyboard and with a screen reader, and nothing is fetched from anywhere.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from plotly.colors import sample_colorscale

NO_VALUE = "#d9d9d9"
MAP_WIDTH = 600          # SVG user units; the drawing scales to its box
RAMP_STOPS = 11          # colour stops of the legend's ramp

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
    """What the map colours counties by: a share 0–1 per county code, its label and its (plotly) colour scale."""

    code: str
    label: str
    colorscale: str
    higher_is_better: bool

    def colour(self, share: float | None) -> str:
        return NO_VALUE if share is None else _hex(sample_colorscale(self.colorscale, [min(max(share, 0), 1)])[0])


@dataclass(frozen=True)
class MapCounty:
    code: str
    name: str
    url: str
    path: str           # SVG path data in the map's user units
    fill: str
    value: str          # "40%" or "—"
    title: str          # the tooltip: name, measure and value, details (one per line)
    label_x: float
    label_y: float


@dataclass(frozen=True)
class CountyMap:
    width: int
    height: int
    counties: tuple[MapCounty, ...]
    measure: Measure
    ramp: tuple[tuple[int, str], ...]     # (offset %, colour) stops of the legend
    no_value: str = NO_VALUE


def county_map(measure: Measure, shares: dict[str, float | None], names: dict[str, str],
               urls: dict[str, str], details: dict[str, str]) -> CountyMap:
    """The counties of the boundary file projected to SVG (equirectangular, longitude shortened by cos(latitude)),
    coloured by ``shares`` (None: grey), each linked to ``urls[code]``; ``details``: extra tooltip lines."""
    shapes = county_shapes()
    points = [p for s in shapes for ring in s.rings for p in ring]
    if not points:
        return CountyMap(MAP_WIDTH, 0, (), measure, ())
    west, east = min(x for x, _ in points), max(x for x, _ in points)
    south, north = min(y for _, y in points), max(y for _, y in points)
    shrink = math.cos(math.radians((south + north) / 2))
    scale = MAP_WIDTH / (((east - west) * shrink) or 1)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - west) * shrink * scale, 1), round((north - lat) * scale, 1)

    counties = []
    for shape in shapes:
        share = shares.get(shape.code)
        name = names.get(shape.code, shape.name)
        value = "—" if share is None else f"{share * 100:.0f}%"
        label_x, label_y = xy(*shape.label)
        counties.append(MapCounty(
            shape.code, name, urls.get(shape.code, ""), " ".join(_path(ring, xy) for ring in shape.rings),
            measure.colour(share), value, "\n".join(filter(None, [name, f"{measure.label}: {value}",
                                                                    details.get(shape.code, "")])),
            label_x, label_y))
    ramp = tuple((round(i * 100 / (RAMP_STOPS - 1)), measure.colour(i / (RAMP_STOPS - 1))) for i in range(RAMP_STOPS))
    return CountyMap(MAP_WIDTH, math.ceil((north - south) * scale), tuple(counties), measure, ramp)


def _path(ring, xy) -> str:
    """One closed ring as compact SVG path data, repeated points (after rounding) dropped."""
    out: list[tuple[float, float]] = []
    for lon, lat in ring:
        p = xy(lon, lat)
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return "M" + " ".join(f"{_n(x)},{_n(y)}" for x, y in out) + "Z"


def _n(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _hex(colour: str) -> str:
    """plotly's "rgb(r, g, b)" (or "#rrggbb") as "#rrggbb"."""
    if colour.startswith("#"):
        return colour
    r, g, b = (round(float(c)) for c in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class HeatCell:
    status: str
    label: str          # the status in words (for screen readers; colour alone says nothing to them)
    title: str          # the tooltip
    url: str            # the county × indicator detail


@dataclass(frozen=True)
class HeatRow:
    code: str
    label: str
    url: str
    cells: tuple[HeatCell | None, ...]


@dataclass(frozen=True)
class HeatMap:
    columns: tuple[tuple[str, str], ...]   # (area code, name)
    rows: tuple[HeatRow, ...]


def status_heatmap(indicators: list[tuple[str, str, str]], areas: list[tuple[str, str]],
                   cells: dict[tuple[str, str], tuple[str, str, str]], url_of) -> HeatMap:
    """Indicator × county table of status. ``indicators``: (code, label, indicator page) rows; ``areas``: (code,
    name) columns; ``cells``: (indicator code, area) → (status, status label, tooltip); ``url_of(indicator,
    area)``: the link of a cell (the county × indicator detail)."""
    rows = []
    for code, label, url in indicators:
        row = []
        for area, _name in areas:
            cell = cells.get((code, area))
            row.append(None if cell is None else HeatCell(cell[0], cell[1], cell[2], url_of(code, area)))
        rows.append(HeatRow(code, label, url, tuple(row)))
    return HeatMap(tuple(areas), tuple(rows))


def short(text: str, limit: int = 16) -> str:
    """A label short enough for a row header; the full text stays in the tooltip."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["CountyMap", "HeatMap", "Measure", "county_map", "county_shapes", "drawn_codes", "status_heatmap",
           "short"]
