"""Plotly figures of the county and indicator pages, built in Python and drawn by static/js/charts.js, and the
indicator page's county bars, computed here and drawn as SVG by the server (``county_bars``).

Only ``scatter`` and ``bar`` traces: the vendored partial Plotly bundle has scatter, bar and heatmap alone.
Every chart has a text alternative on its page (a table with the same numbers), and no chart tells anything by
colour alone: statuses and results are named in the legend and in the hover text.

Traces and layouts are plain dicts handed to ``go.Figure(..., _validate=False)``: validating each property costs
about 20 ms a figure, and the county page has nine. tests/test_pages_county.py validates every figure instead.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from assessment.charts import STATUS_COLOURS, STATUS_ORDER, _json
from assessment.choices import ProgressStatus
from dashboards.display import number

# Achieved first, so the bars read from the left/bottom as "how much is done".
TRAJECTORY_ORDER = list(reversed(STATUS_ORDER))
FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=12)


def _figure(data: list[dict], layout: dict) -> str:
    layout = {"font": FONT, **layout}
    return _json(go.Figure(data=data, layout=layout, _validate=False))


def _bar(**kw) -> dict:
    return {"type": "bar", "hoverinfo": "text", **kw}


def _scatter(**kw) -> dict:
    return {"type": "scatter", **kw}


def plan_trajectory(counts: Mapping[int, Mapping[str, int]]) -> str:
    """One plan's trajectory in one county: per year, the share of its indicators in each status (100 % bars).

    Why this design rather than a line per indicator of value / target: a plan has up to 60 indicators, a line
    each is unreadable and small multiples are too many; value / target is undefined for the plans' many zero
    targets (清零: no 56-pupil classes, no dropouts) and meaningless for at-most targets and done/not-done
    milestones. The status already measures each indicator against its expected path (the straight line from
    the baseline to the target, DESIGN §3): 正常推进 means on or above that path, 滞后 within 80 % of it. So the
    green part of a bar is the share of indicators at or ahead of the expected path, and its growth over the
    years is the plan's trajectory, comparable between plans and counties of any size.

    ``counts``: year → status → number of the county's indicators of the plan in that status.
    """
    years = sorted(counts)
    totals = {y: sum(counts[y].values()) for y in years}
    data = []
    for status in TRAJECTORY_ORDER:
        n = {y: counts[y].get(status, 0) for y in years}
        data.append(_bar(
            name=str(status.label), x=years, marker={"color": STATUS_COLOURS[status]},
            y=[round(n[y] * 100 / totals[y], 1) if totals[y] else 0 for y in years],
            hovertext=[f"{y} · {status.label}: {n[y]}/{totals[y]}" for y in years]))
    return _figure(data, dict(
        barmode="stack", height=260, margin=dict(l=45, r=10, t=10, b=30), legend=dict(orientation="h", y=-0.18),
        xaxis=dict(dtick=1, type="category"), yaxis=dict(range=[0, 100], ticksuffix="%", title=_("指标占比"))))


@dataclass(frozen=True)
class PlanShare:
    """A plan's final evaluation in one county: targets met on time / late out of all, and the prefecture's."""

    label: str
    total: int
    on_time: int
    late: int
    missed: int
    no_data: int
    prefecture: float | None

    @property
    def on_time_share(self) -> float:
        return round(self.on_time * 100 / self.total, 1) if self.total else 0.0

    @property
    def late_share(self) -> float:
        return round(self.late * 100 / self.total, 1) if self.total else 0.0

    @property
    def met_share(self) -> float:
        return round((self.on_time + self.late) * 100 / self.total, 1) if self.total else 0.0


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class CountyBar:
    """One county in the indicator's bar chart (``status`` None: a county's part of a prefecture total)."""

    name: str
    value: Decimal | None
    target: Decimal | None
    status: str | None


@dataclass(frozen=True)
class BarMark:
    """One area's bar in the indicator page's county table, drawn as SVG on the server (``_county_bar.html``).

    Positions are per cent of the cell's width on the scale shared by every row (``BarChart.low``–``high``):
    the bar runs from zero to the value, ``target`` is the area's own target (a tick), ``line`` the
    prefecture's value (a dashed line through every row, so together they read as one line)."""

    x: float
    width: float
    colour: str
    target: float | None
    line: float | None
    title: str


@dataclass(frozen=True)
class BarChart:
    marks: list[BarMark]
    prefecture: BarMark | None
    low: Decimal
    high: Decimal
    legend: list[tuple[str, str]]


PLAIN_COLOUR = "#90a4ae"


def county_bars(bars: Sequence[CountyBar], unit: str, prefecture: CountyBar | None) -> BarChart:
    """The counties' values for one year as bars coloured by status on one shared scale, each county's own
    target as a tick; for a rate (``prefecture`` given), the prefecture's value as a line through every row
    and its own bar. ``marks`` follow ``bars``' order."""
    line = prefecture.value if prefecture else None
    every = [n for b in [*bars, *([prefecture] if prefecture else [])] for n in (b.value, b.target) if n is not None]
    low, high = min([Decimal(0), *every]), max([Decimal(0), *every])
    span = (high - low) or Decimal(1)

    def at(n: Decimal | None) -> float | None:
        return None if n is None else round(float((n - low) * 100 / span), 1)

    zero = at(Decimal(0))

    def amount(n: Decimal | None) -> str:
        return "—" if n is None else f"{number(n)} {unit}".strip()

    def mark(b: CountyBar) -> BarMark:
        end = at(b.value)
        label = str(ProgressStatus(b.status).label) if b.status else ""
        title = _("%(name)s：%(value)s") % {"name": b.name, "value": amount(b.value)}
        if b.target is not None:
            title += _("，目标 %(target)s") % {"target": amount(b.target)}
        if label:
            title += _("，%(status)s") % {"status": label}
        return BarMark(x=min(zero, end) if end is not None else zero, width=abs(end - zero) if end is not None else 0,
                       colour=STATUS_COLOURS[b.status] if b.status else PLAIN_COLOUR, target=at(b.target),
                       line=at(line), title=title)

    shown = {b.status for b in bars} | ({prefecture.status} if prefecture else set())
    legend = [(STATUS_COLOURS[s], str(s.label)) for s in reversed(STATUS_ORDER) if s in shown]
    if None in shown:
        legend.append((PLAIN_COLOUR, _("数值")))
    return BarChart(marks=[mark(b) for b in bars], prefecture=mark(prefecture) if prefecture else None,
                    low=low, high=high, legend=legend)


@dataclass(frozen=True)
class TrendLine:
    """One line of the trend chart: an area's values by year (``band``: a summary of many counties)."""

    name: str
    points: list[tuple[int, Decimal]]
    prefecture: bool = False
    band: bool = False


def indicator_trend(lines: Sequence[TrendLine], targets: Sequence[tuple[str, int | None, Decimal, bool]],
                    years: Sequence[int], unit: str, prefecture_axis: bool) -> str:
    """Values over the years: the prefecture (thick), the counties (thin), targets as stars at their deadline
    (a standing yearly rule as a dotted line). ``targets``: (label, year or None, value, on the prefecture's
    scale). ``prefecture_axis``: the prefecture total is on another scale (sums, counts of counties), so it
    gets the right-hand axis."""
    data = []
    for line in lines:
        on_right = line.prefecture and prefecture_axis
        style = {"width": 4, "color": "#0b6e4f"} if line.prefecture else {"width": 1.5}
        if line.band:
            style["dash"] = "dot"
        data.append(_scatter(
            name=line.name, x=[p[0] for p in line.points], y=[_f(p[1]) for p in line.points],
            mode="lines+markers" if line.prefecture else "lines", line=style, yaxis="y2" if on_right else "y",
            hovertemplate=f"{line.name} · %{{x}}: %{{y}} {unit}<extra></extra>"))
    for label, year, value, prefecture_scale in targets:
        axis = "y2" if prefecture_scale and prefecture_axis else "y"
        colour = "#0b6e4f" if prefecture_scale else "#c62828"
        if year is None:
            data.append(_scatter(
                name=label, x=list(years), y=[float(value)] * len(years), mode="lines", yaxis=axis,
                line={"dash": "dot", "color": colour}, hovertemplate=f"{label}: {number(value)} {unit}<extra></extra>"))
        else:
            data.append(_scatter(
                name=label, x=[year], y=[float(value)], mode="markers", yaxis=axis,
                marker={"symbol": "star", "size": 14, "color": colour},
                hovertemplate=f"{label} · {year}: {number(value)} {unit}<extra></extra>"))
    layout = dict(height=400, margin=dict(l=50, r=60 if prefecture_axis else 10, t=10, b=40), xaxis=dict(dtick=1),
                  yaxis=dict(title=unit), legend=dict(orientation="h", y=-0.15))
    if prefecture_axis:
        layout["yaxis2"] = dict(title=_("全州（右轴）"), overlaying="y", side="right", showgrid=False)
    return _figure(data, layout)


__all__ = ["BarChart", "BarMark", "CountyBar", "PlanShare", "TrendLine", "county_bars", "indicator_trend", "plan_trajectory"]
