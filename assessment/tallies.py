"""Per-area tallies of progress statuses (per year) and final-evaluation results (per cycle).

Rewritten in the recompute's transaction after progress and the evaluation (full: every area; after an
approval: the figure's county and the prefecture), by one INSERT … SELECT each, so the dashboard reads a few
rows per county whatever the number of indicators.
"""
from __future__ import annotations

from django.db import connections, transaction

from assessment.choices import PREFECTURE
from assessment.models import AreaTally, Evaluation, Progress
from places.models import County
from indicators.models import Indicator, Plan

_STATUS_SQL = """
INSERT INTO {tally} (measure, period, area, code, n)
SELECT 'status', CAST(p.year AS varchar(20)), p.area, p.status, COUNT(*) FROM {progress} p {where}
GROUP BY p.year, p.area, p.status
"""
_RESULT_SQL = """
INSERT INTO {tally} (measure, period, area, code, n)
SELECT 'result', pl.cycle, e.area, e.result, COUNT(*) FROM {evaluation} e
JOIN {indicator} i ON i.id = e.indicator_id JOIN {plan} pl ON pl.id = i.plan_id {where}
GROUP BY pl.cycle, e.area, e.result
"""


def rewrite(using: str = "default", areas: list[str] | None = None) -> None:
    """Replace the tallies of ``areas`` (every area when None) from the stored progress and evaluation rows."""
    tables = {"tally": AreaTally._meta.db_table, "progress": Progress._meta.db_table,
              "evaluation": Evaluation._meta.db_table, "indicator": Indicator._meta.db_table,
              "plan": Plan._meta.db_table}
    with transaction.atomic(using=using):
        stale = AreaTally.objects.using(using)
        if areas is not None:
            stale = stale.filter(area__in=areas)
        stale.delete()
        connection = connections[using]
        with connection.cursor() as cursor:
            for sql, alias in ((_STATUS_SQL, "p"), (_RESULT_SQL, "e")):
                where = ""
                if areas is not None:
                    placeholders = ", ".join(["%s"] * len(areas))
                    where = f"WHERE {alias}.area IN ({placeholders})"
                cursor.execute(sql.format(where=where, **tables), list(areas) if areas is not None else [])


def rewrite_for(county_id: int | None, using: str = "default") -> None:
    """The tallies one approved figure affects: its county's and the prefecture's."""
    areas = [PREFECTURE]
    if county_id is not None:
        areas.append(County.objects.using(using).values_list("code", flat=True).get(id=county_id))
    rewrite(using, areas)
