"""What higher apps add to the rhythm's publications, without this app importing them (issue 9: the monthly
bulletin shows "the red/black lists once they exist"; the quarterly ranking uses the plan-8 assessment score once
one is published). Like ``sources.register_source``: the red/black lists and the scoring app register here from
their ``AppConfig.ready``.

- A **bulletin section** gives, for a month, a title and tables of plain values (or None: nothing to show). What
  it gives is copied into the bulletin when it is published (``Publication.content["sections"]``) and shown from
  there: a published bulletin never changes, whatever the lists do afterwards.
- A **ranking measure** gives, for a quarter, each county's score (or None: not available, e.g. no assessment
  published yet). The ranking uses the available measure of the highest priority and falls back to its own, the
  share of judged targets achieved or on track. The measure used is written into the ranking.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.conf import settings
from django.utils import translation


@dataclass(frozen=True)
class Table:
    """One table of a bulletin section: a caption, column headings and rows of plain values (JSON)."""

    caption: str
    columns: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Section:
    """What a section shows for one month: its title, tables and notes, as they will be frozen."""

    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def frozen(self, name: str) -> dict:
        return {"name": name, "title": str(self.title), "notes": [str(n) for n in self.notes],
                "tables": [{"caption": str(t.caption), "columns": [str(c) for c in t.columns],
                            "rows": [list(r) for r in t.rows]} for t in self.tables]}


@dataclass(frozen=True)
class Scores:
    """A ranking measure's scores for one quarter: county code → score (None: not scored), what they are (the
    label shown over the column), the unit and where they come from (e.g. 2025年度考核 第1版)."""

    label: str
    unit: str
    by_county: dict[str, float | None]
    basis: str = ""


# name → (order, function of the period). Sections are shown in their order; measures are tried highest first.
SECTIONS: dict[str, tuple[int, Callable[[str], Section | None]]] = {}
MEASURES: dict[str, tuple[int, Callable[[str], Scores | None]]] = {}


def register_bulletin_section(name: str, content: Callable[[str], Section | None], order: int = 100) -> None:
    """Called by a higher app in its ``AppConfig.ready``; ``content(period)`` (period ``2026-11``) gives the
    section as it is to be published, or None when there is nothing to show."""
    SECTIONS[name] = (order, content)


def register_ranking_measure(name: str, scores: Callable[[str], Scores | None], priority: int = 100) -> None:
    """Called by a higher app in its ``AppConfig.ready``; ``scores(period)`` (period ``2026-Q4``) gives every
    county's score, or None when the measure is not available for that quarter."""
    MEASURES[name] = (priority, scores)


def frozen_sections(period: str) -> list[dict]:
    """Every registered section for the month, as plain values to be stored in the bulletin (in the site's
    language: what is published is the Chinese text)."""
    out = []
    with translation.override(settings.LANGUAGE_CODE):
        for name, (_order, content) in sorted(SECTIONS.items(), key=lambda kv: (kv[1][0], kv[0])):
            section = content(period)
            if section is not None:
                out.append(section.frozen(name))
    return out


def ranking_scores(period: str) -> tuple[str, Scores] | None:
    """The available registered measure of the highest priority for the quarter, with its name, or None."""
    with translation.override(settings.LANGUAGE_CODE):
        for name, (_priority, scores) in sorted(MEASURES.items(), key=lambda kv: (-kv[1][0], kv[0])):
            found = scores(period)
            if found is not None:
                return name, Scores(str(found.label), str(found.unit), dict(found.by_county), str(found.basis))
    return None
