"""PDF (WeasyPrint): A4 landscape, Noto CJK embedded, the scope and generation time in every page's header, page
numbers in the footer, the cover facts, summary tables, a chart as SVG, then the rows plan by plan."""
from __future__ import annotations

import base64
import logging
from typing import Callable
from xml.sax.saxutils import escape

from django.template.loader import render_to_string

from assessment.choices import PREFECTURE
from reports.formats import text
from reports.scope import REDBLACK

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

BAR_WIDTH, LABEL_WIDTH, ROW_HEIGHT = 520, 150, 22
# Codes that repeat a label beside them (status, result) or the sheet's plan: left out of the PDF's narrow page.
SKIPPED = {"status", "result", "plan"}


def chart_svg(chart: list[tuple[str, list[tuple[str, str, int]]]]) -> str:
    """A horizontal stacked bar per plan (counts by status or result), with a legend: plain SVG."""
    if not chart:
        return ""
    height = ROW_HEIGHT * len(chart) + 40
    width = LABEL_WIDTH + BAR_WIDTH + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="Noto Sans CJK SC, sans-serif" font-size="11">']
    for i, (label, segments) in enumerate(chart):
        y = 10 + i * ROW_HEIGHT
        total = sum(n for _, _, n in segments) or 1
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        x = float(LABEL_WIDTH)
        for _, colour, n in segments:
            w = BAR_WIDTH * n / total
            if w:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_HEIGHT - 6}" fill="{colour}"/>')
            x += w
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 13}">{sum(n for _, _, n in segments)}</text>')
    y = height - 16
    x = LABEL_WIDTH
    for name, colour, _ in chart[0][1]:
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>')
        x += 100
    parts.append("</svg>")
    return "".join(parts)


def _css(line, type_: str) -> str:
    """The status or result code colours its label's cell (the classes of the template's stylesheet)."""
    if type_ == "status":
        return line.status
    if type_ == "result":
        return line.result
    return ""


def render(report, progress: Callable[[int, int], None] | None = None) -> bytes:
    from weasyprint import HTML

    columns = [c for c in report.columns if c.key not in SKIPPED]
    plans = []
    names = dict(report.plans)
    grouped: dict[str, list] = {code: [] for code, _ in report.plans}
    # The whole prefecture's PDF is the printed report: the counts by county (cover tables) and the prefecture's
    # own rows; its thousands of county rows are in the xlsx and CSV (WeasyPrint lays out ~2.5 s per page). The
    # red/black lists have no prefecture rows: their PDF holds every line (``redblack_report.check_size``).
    whole = report.scope.whole_prefecture and report.scope.kind != REDBLACK
    for line in report.lines:
        if not whole or line.county == PREFECTURE:
            grouped.setdefault(line.plan, []).append(line)
    for code, lines in grouped.items():
        plans.append({"name": names.get(code, code), "rows": [
            [(text(getattr(line, c.key)), _css(line, c.type)) for c in columns] for line in lines]})
    svg = chart_svg(report.chart)
    if progress:
        progress(1, 3)
    html = render_to_string("reports/report.pdf.html", {
        "report": report, "columns": columns, "plans": plans, "cover": report.cover(),
        "whole": whole, "chart": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else "",
    })
    if progress:
        progress(2, 3)
    data = HTML(string=html).write_pdf()
    if progress:
        progress(3, 3)
    return data
