"""The progress report's CSV written by PostgreSQL (``COPY … TO STDOUT WITH CSV``), byte for byte the file
``reports.formats.csv_format`` writes from the report's lines, at national scale (issue 12: "the CSV of the whole
3,000-county benchmark database streams … goal ≥ 100,000 rows/s").

What stays in Python, computed once per file: every text cell that comes from a small table — county codes and
names, each indicator's plan, code, name (in the active language) and unit, each status's label (translated once)
and the few user names a spreadsheet would take for a formula — goes through ``csv_format.text_cell`` (so the
formula rule stays ``liangshan_edu.formats.csv_cell``, in one place) and is handed to the statement as JSON arrays.
PostgreSQL joins them to the stored rows (``services.progress_queryset``: the user-scoped query of the pages and
the API), writes numbers without trailing zeros (``trim_scale``), booleans as 1/0, times in the active time zone,
the provenance (entered by, approved by, when) joined from the user-visible approved figures, sorts in catalogue
order and quotes as ``csv.writer`` does. Rows reach Python one at a time from psycopg2's ``copy_expert`` in a
thread, which ends each with ``\\r\\n`` (PostgreSQL ends them with ``\\n``; a line break inside a quoted cell is
left alone) and hands ~64 KB pieces through a bounded queue, so memory stays flat.

Used for PostgreSQL, stored rows (no ``as_of``) and columns it knows (``SQL_CELLS``); anything else goes the
Python way. ``tests/test_reports_csv_copy.py`` compares both on the report tests' data and on nasty text.
"""
from __future__ import annotations

import json
import queue
import threading
from typing import Iterator

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.utils import timezone

from assessment.choices import PREFECTURE, ProgressStatus
from assessment.models import Progress
from counties.models import Figure
from indicators.models import Indicator
from indicators.templatetags.catalogue import ind_name
from liangshan_edu.formats import csv_cell
from places.models import County
from reports.formats import csv_format
from reports.scope import PROGRESS

PIECE_BYTES = 64 * 1024
QUEUE_PIECES = 8  # at most this many pieces wait for the response: memory stays bounded
FORMULA_START = "^[-=+@]"  # the first characters csv_cell looks at (a filter only; csv_cell decides)

# Column key → its cell as SQL over the sorted rows ``s`` (see ``_SQL``); a text cell NULL when empty, since
# COPY quotes an empty string ("") where csv.writer writes nothing. The small tables' cells are read by position
# after the sort (so that the sort carries numbers and codes only) from JSON arrays: a constant jsonb array finds
# its n-th element without walking the ones before it, as a text[] would.
SQL_CELLS = {
    "county": "coalesce((%(area_codes)s::jsonb ->> s.area_idx), NULLIF(s.area, ''))",
    "county_name": "(%(area_names)s::jsonb ->> s.area_idx)", "plan": "(%(plans)s::jsonb ->> s.rank)",
    "indicator": "(%(codes)s::jsonb ->> s.rank)", "indicator_name": "(%(names)s::jsonb ->> s.rank)",
    "unit": "(%(units)s::jsonb ->> s.rank)", "year": "s.year::text", "value": "trim_scale(s.value)::text",
    "target": "trim_scale(s.target)::text", "target_year": "s.target_year::text",
    "assumed_deadline": "coalesce(s.note ->> 0, '0')", "condition": "(s.note ->> 1)",
    "expected": "trim_scale(s.expected)::text", "status": "(%(status_codes)s::jsonb ->> s.status_idx)",
    "status_label": "(%(status_labels)s::jsonb ->> s.status_idx)",
    "overdue": "CASE WHEN s.overdue THEN '1' WHEN NOT s.overdue THEN '0' END",
    "projected": "trim_scale(s.projected)::text",
    "will_meet": "CASE WHEN s.will_meet THEN '1' WHEN NOT s.will_meet THEN '0' END",
    "entered_by": "", "approved_by": "",  # _USER_CELL
    "approved_at": "to_char(s.approved_at AT TIME ZONE %(zone)s, 'YYYY-MM-DD HH24:MI:SS')",
}

# A user name as a cell: as it is, unless it starts with = + - @ (then csv_cell's verdict, computed in Python).
_USER_CELL = ("CASE WHEN {x} IS NULL OR {x} = '' THEN NULL WHEN left({x}, 1) NOT IN ('=', '+', '-', '@') "
              "THEN {x} ELSE coalesce((SELECT n.cell FROM neutral n WHERE n.name = {x}), '''' || {x}) END")

# JIT compiling this statement cost more than it saved (0.4 s of 1.9 s at 300 counties, EXPLAIN ANALYZE); the sort
# of one year's rows stays in memory longer with more than the default 4 MB of work_mem.
_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; "

_SQL = """
COPY (
WITH neutral(name, cell) AS (SELECT * FROM unnest(%(neutral_names)s::text[], %(neutral_cells)s::text[]))
SELECT {cells}
FROM (
    SELECT (i.n - 1)::int AS rank, (a.n - 1)::int AS area_idx, p.area, (st.n - 1)::int AS status_idx, p.year,
           p.value, p.target, p.target_year, p.expected, p.overdue, p.projected, p.will_meet, approver.{username} AS approver, f.approved_at,
           ({entered}) AS entered,
           coalesce(%(notes)s::jsonb -> (p.indicator_id::text || ':' || coalesce(p.target_year::text, '')),
                    %(notes)s::jsonb -> (p.indicator_id::text || ':*')) AS note
    FROM ({progress}) p
    JOIN unnest(%(ind_ids)s::bigint[]) WITH ORDINALITY AS i(id, n) ON i.id = p.indicator_id
    LEFT JOIN unnest(%(areas)s::text[], %(county_ids)s::bigint[]) WITH ORDINALITY AS a(area, county_id, n)
           ON a.area = p.area
    LEFT JOIN unnest(%(statuses)s::text[]) WITH ORDINALITY AS st(code, n) ON st.code = p.status
    LEFT JOIN ({figures}) fc ON fc.indicator_id = p.indicator_id AND fc.county_id = a.county_id
    LEFT JOIN ({figures}) fp ON p.area = %(prefecture)s AND fp.county_id IS NULL AND fp.indicator_id = p.indicator_id
    CROSS JOIN LATERAL (SELECT coalesce(fc.id, fp.id) AS id, coalesce(fc.approved_by_id, fp.approved_by_id)
                               AS approved_by_id, coalesce(fc.approved_at, fp.approved_at) AS approved_at) f
    LEFT JOIN {users} approver ON approver.id = f.approved_by_id
    ORDER BY i.n, p.area
) s
) TO STDOUT WITH (FORMAT csv)
"""

# The first recorded user of the figure (``services._provenance``'s ``entered``).
_ENTERED = ("SELECT hu.{username} FROM {history} h LEFT JOIN {users} hu ON hu.id = h.history_user_id "
            "WHERE h.id = f.id ORDER BY h.history_id LIMIT 1")


def applies(report) -> bool:
    """Whether PostgreSQL can write this report's CSV: stored progress rows (no ``as_of``), known columns."""
    scope = report.scope
    return (scope.kind == PROGRESS and scope.as_of is None and scope.year is not None
            and connections[router.db_for_read(Progress)].vendor == "postgresql"
            and all(c.key in SQL_CELLS for c in report.columns))


def chunks(user, report) -> Iterator[bytes] | None:
    """The report's CSV in pieces (BOM and header first), or None when this path does not apply."""
    if not applies(report):
        return None
    try:
        sql = statement(user, report)
    except EmptyResultSet:  # nothing visible: the general path writes the header alone
        return None
    return _stream(report, sql)


def statement(user, report) -> str:
    """The COPY statement of a report, with every value bound."""
    from reports import services  # the service module builds reports; this one only writes them

    alias = router.db_for_read(Progress)
    scope = report.scope
    progress = (services.progress_queryset(user, scope).order_by()
                .values("area", "indicator_id", *services.PROGRESS_VALUES[2:]))
    figures = (Figure.objects.using(alias).visible_to(user).approved().filter(year=scope.year).order_by()
               .values("id", "county_id", "indicator_id", "year", "approved_by_id", "approved_at"))
    user_model = get_user_model()
    quote = connections[alias].ops.quote_name
    names = {"users": quote(user_model._meta.db_table), "history": quote(Figure.history.model._meta.db_table),
             "username": quote(user_model.USERNAME_FIELD)}
    entered = _ENTERED.format(**names)
    users = {"entered_by": "s.entered", "approved_by": "s.approver"}
    cells = ", ".join(_USER_CELL.format(x=users[c.key]) if c.key in users else SQL_CELLS[c.key]
                      for c in report.columns)
    with connections[alias].cursor() as cur:
        raw = getattr(cur, "cursor", cur)
        bound = {name: raw.mogrify(*qs.query.sql_with_params()).decode().replace("%", "%%")
                 for name, qs in (("progress", progress), ("figures", figures))}
        sql = _SQL.format(cells=cells, entered=entered, **bound, **names)
        return _SETTINGS + raw.mogrify(sql, _lookups(alias, report)).decode()


def _lookups(alias: str, report) -> dict:
    """The small tables, each cell written by the CSV's own rule (``csv_format.text_cell``)."""
    text = csv_format.text_cell
    names = {PREFECTURE: (None, report_area_name())}
    for pk, code, name in County.objects.using(alias).values_list("id", "code", "name"):
        names[code] = (pk, name)
    # the catalogue in the progress query's order, sorted by the database (its collation, not Python's)
    catalogue = list(Indicator.objects.using(alias).select_related("plan", "unit")
                     .order_by("plan__order", "plan__code", "order", "code"))
    neutral = list(get_user_model().objects.using(alias).filter(username__regex=FORMULA_START)
                   .values_list("username", flat=True))
    cells = {
        "area_codes": [text(a) for a in names], "area_names": [text(n) for _, n in names.values()],
        "plans": [text(i.plan.code) for i in catalogue], "codes": [text(i.code) for i in catalogue],
        "names": [text(ind_name(i)) for i in catalogue], "units": [text(i.unit.code) for i in catalogue],
        "status_codes": [text(s) for s in ProgressStatus.values],
        "status_labels": [text(str(s.label)) for s in ProgressStatus],
    }
    return {
        **{key: json.dumps([cell or None for cell in values], ensure_ascii=False) for key, values in cells.items()},
        "notes": json.dumps(_notes(), ensure_ascii=False),
        "areas": list(names), "county_ids": [pk for pk, _ in names.values()], "ind_ids": [i.pk for i in catalogue],
        "statuses": list(ProgressStatus.values),
        "neutral_names": neutral, "neutral_cells": [csv_cell(n) for n in neutral],
        "zone": timezone.get_current_timezone_name(), "prefecture": PREFECTURE,
    }


def _notes() -> dict[str, list]:
    """``services.target_notes`` as a JSON object for the SQL: "indicator id:target year" (empty year for a
    standing rule, ``*`` for the indicator's condition whatever the year) → [assumed deadline "1"/"0", condition
    cell]; looked up as ``services.note_for`` does (the year's note, else the indicator's)."""
    from reports import services

    def key(ind_id, year) -> str:
        return f"{ind_id}:{'' if year is None else year}"

    return {key(ind_id, year): ["1" if assumed else "0", csv_format.text_cell(words) or None]
            for (ind_id, year), (assumed, words) in services.target_notes().items()}


def report_area_name() -> str:
    from reports import services

    return services.area_names()[PREFECTURE]


class _Pieces:
    """The file object ``copy_expert`` writes to: one call per row (ending ``\\n``), gathered into pieces of
    ~``PIECE_BYTES`` that end rows with ``\\r\\n`` as ``csv.writer`` does."""

    def __init__(self, out: queue.Queue, stop: threading.Event) -> None:
        self.out, self.stop, self.rows, self.size = out, stop, [], 0

    def write(self, row: bytes) -> None:
        if self.stop.is_set():  # the response was closed: let the cancelled COPY end on its own
            return
        self.rows.append(row[:-1])
        self.size += len(row)
        if self.size >= PIECE_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            piece = b"\r\n".join(self.rows) + b"\r\n"
            self.rows, self.size = [], 0
            self.send(piece)

    def send(self, item) -> None:
        """Hand an item to the response, waiting while the queue is full, unless the response was closed."""
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


_END = object()


def _stream(report, sql: str) -> Iterator[bytes]:
    yield csv_format.header(report)
    alias = router.db_for_read(Progress)
    connection = connections[alias]
    connection.ensure_connection()
    out: queue.Queue = queue.Queue(QUEUE_PIECES)
    stop = threading.Event()

    def copy() -> None:
        pieces = _Pieces(out, stop)
        try:
            with connection.connection.cursor() as cur:
                cur.copy_expert(sql, pieces)
            pieces.flush()
            pieces.send(_END)
        except BaseException as exc:  # noqa: BLE001 — handed to the response's thread, raised there
            pieces.send(exc)

    worker = threading.Thread(target=copy, name="report-csv-copy", daemon=True)
    worker.start()
    try:
        while (piece := out.get()) is not _END:
            if isinstance(piece, BaseException):
                raise piece
            yield piece
    finally:
        if worker.is_alive():
            stop.set()
            connection.connection.cancel()
        worker.join()
