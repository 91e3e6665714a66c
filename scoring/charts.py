"""The ranking chart, drawn on the server as SVG (as the dashboards draw theirs, for speed and without script):
one bar per county in rank order, coloured by award band, with the 70 and 60 lines of the plan. The same chart as
a Plotly figure (``ranking_figure``) is offered below it and drawn by static/js/charts.js only when opened, so the
page's first paint never waits for plotly.js (docs/lighthouse.md)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from assessment.charts import figure_json

BAND_COLOURS = {"first": "#1b7837", "second": "#5aae61", "third": "#a6dba0", "": "#bababa"}
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 720, 260, 34, 10, 60
PLOT_H = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str           # the county's short name, under the bar
    label_x: float
    title: str           # the tooltip: name, score, rank, award
    url: str


@dataclass(frozen=True)
class Line:
    y: float
    value: int
    label: str


@dataclass(frozen=True)
class RankingChart:
    width: int
    height: int
    left: int
    plot_bottom: float
    bars: tuple[Bar, ...]
    lines: tuple[Line, ...]
    ticks: tuple[Line, ...]


def _y(score: Decimal | float) -> float:
    return round(TOP + PLOT_H * (1 - float(score) / 100), 1)


def ranking_chart(rows, urls: dict[str, str], lines: list[tuple[int, str]]) -> RankingChart:
    """``rows``: the outcome's rows in rank order; ``lines``: (score, label) of the accountability thresholds."""
    n = max(len(rows), 1)
    step = (WIDTH - LEFT - 6) / n
    bars = []
    for i, r in enumerate(rows):
        x = LEFT + i * step + step * 0.15
        award = r.award.code if r.award else ""
        title = f"{r.name} {r.score} · #{r.rank}" + (f" · {r.award.label}" if r.award else "")
        bars.append(Bar(round(x, 1), _y(r.score), round(step * 0.7, 1), round(_y(0) - _y(r.score), 1),
                        BAND_COLOURS.get(award, BAND_COLOURS[""]), r.name[:2], round(x + step * 0.35, 1), title,
                        urls.get(r.code, "")))
    return RankingChart(WIDTH, HEIGHT, LEFT, _y(0), tuple(bars),
                        tuple(Line(_y(v), v, label) for v, label in lines),
                        tuple(Line(_y(v), v, str(v)) for v in (0, 20, 40, 60, 80, 100)))


def ranking_figure(rows, awards, lines: list[tuple[int, str]]) -> str:
    """The ranking as Plotly JSON: one bar trace per award band (named in the legend, so the band is not told by
    colour alone) in rank order, and the accountability lines (``lines``: (score, label)) as dashed shapes."""
    names = [r.name for r in rows]
    bands = [(a.code, a.label) for a in awards] + [("", _("未获奖"))]
    data = []
    for code, label in bands:
        mine = [r for r in rows if (r.award.code if r.award else "") == code]
        if not mine:
            continue
        data.append({"type": "bar", "name": str(label), "x": [r.name for r in mine], "y": [float(r.score) for r in mine],
                     "marker": {"color": BAND_COLOURS.get(code, BAND_COLOURS[""])}, "hoverinfo": "text",
                     "hovertext": [f"{r.name} {r.score} · #{r.rank}" + (f" · {r.award.label}" if r.award else "")
                                   for r in mine]})
    shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": v, "y1": v,
               "line": {"color": "#c62828", "dash": "dash", "width": 1.5}} for v, _label in lines]
    notes = [{"xref": "paper", "x": 1, "y": v, "yanchor": "bottom", "xanchor": "right", "showarrow": False,
              "text": _("低于%(value)s分：%(label)s") % {"value": v, "label": label}} for v, label in lines]
    layout = {"height": 360, "margin": {"l": 40, "r": 10, "t": 10, "b": 60}, "barmode": "overlay",
              "xaxis": {"categoryorder": "array", "categoryarray": names},
              "yaxis": {"range": [0, 100], "title": _("得分")}, "shapes": shapes, "annotations": notes,
              "legend": {"orientation": "h", "y": -0.25}}
    return figure_json(go.Figure(data=data, layout=layout))
