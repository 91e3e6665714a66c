"""PostgreSQL writes the progress CSV (``reports.csv_copy``) byte for byte as the Python path does
(``csv_format.chunks`` over the report's lines), which stays the path of SQLite and of ``as_of``.

Pinned on the report tests' data made nasty: text a spreadsheet would take for a formula in every kind of text
cell (county and indicator names, user names — some of them numbers, which csv_cell leaves alone), commas, quotes
and line breaks, English labels, another time zone, a clerk's scope; and the SQL number and time formatting
against the Python formatters over many values.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone as dt_timezone
import zoneinfo
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation

from counties.models import Figure
from indicators.models import Indicator
from places.models import County
from reports import csv_copy, services
from reports.formats import csv_format
from reports.scope import PROGRESS, Scope
from tests.reports_data import XICHANG, ZHAOJUE, series

pytestmark = pytest.mark.django_db

NASTY_USERS = ["=cmd|' /C calc'!A0", "-1", "+2.5e3", "@SUM(A1)", "-inf", "+", "- 1", "普通用户", "a,b", 'q"uote']


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("COPY is PostgreSQL's (DATABASE_URL=postgres://…)")


@pytest.fixture
def nasty(postgresql, official):
    series(official)
    users = [get_user_model().objects.create(username=name) for name in NASTY_USERS]
    figures = list(Figure.objects.filter(status="approved").order_by("pk"))
    for n, fig in enumerate(figures):
        Figure.objects.filter(pk=fig.pk).update(
            approved_by=users[n % len(users)],
            approved_at=datetime(2025, 3, 30, 1, 2, 3, tzinfo=dt_timezone.utc) + timedelta(days=97 * n, seconds=n))
        fig.history.filter(id=fig.pk).update(history_user=users[(n + 3) % len(users)])
    County.objects.filter(code=ZHAOJUE).update(name='-昭觉, "县"\n第二行')
    Indicator.objects.filter(code="CMP-01").update(name='=HYPERLINK("http://x"), 巩固率', name_en="+rate\r\nx")
    return users


def _both(user, scope: Scope) -> tuple[bytes, bytes]:
    python = csv_format.chunks(services.progress_report(user, scope))
    report = services.progress_report(user, scope, stream=True)
    pieces = csv_copy.chunks(user, report)
    assert pieces is not None, "the COPY path should apply"
    return b"".join(python), b"".join(pieces)


@pytest.mark.parametrize("language, zone", [("zh-hans", "Asia/Shanghai"), ("en", "Europe/London")])
def test_copy_writes_the_python_paths_bytes(nasty, official, language, zone):
    with translation.override(language), timezone.override(zone):
        python, copied = _both(official, Scope(PROGRESS, "prefecture", 2024))
    assert copied == python
    name = b"'=HYPERLINK" if language == "zh-hans" else b"\"'+rate\r\nx\""  # a line break inside a cell
    assert name in copied and "\"'-昭觉".encode() in copied


def test_copy_writes_the_python_paths_bytes_for_a_clerk_and_one_indicator(nasty, clerk_zhaojue, official):
    python, copied = _both(clerk_zhaojue, Scope(PROGRESS, ZHAOJUE, 2023))
    assert copied == python and copied.count(b"\r\n") > 2
    python, copied = _both(official, Scope(PROGRESS, "prefecture", 2022, indicator="CMP-01"))
    assert copied == python and b"513401" in copied


def test_the_export_uses_copy(nasty, official, monkeypatch):
    from reports import exports

    used = []
    original = csv_copy._stream
    monkeypatch.setattr(csv_copy, "_stream", lambda *a: used.append(1) or original(*a))
    response = exports.serve(official, Scope(PROGRESS, "prefecture", 2024), "csv")
    data = b"".join(response.streaming_content)
    assert used and data == b"".join(csv_format.chunks(services.progress_report(official, Scope(
        PROGRESS, "prefecture", 2024))))


def test_user_names_are_neutralised_by_csv_cell(postgresql):
    """The SQL takes csv_cell's verdict for names starting with = + - @ and leaves every other name as it is."""
    from liangshan_edu.formats import csv_cell

    for name in NASTY_USERS:
        get_user_model().objects.create(username=name)
    report = services.Report(Scope(PROGRESS, "prefecture", 2024), "", "", services.PROGRESS_COLUMNS, [], [],
                             timezone.now(), "", "")
    lookups = csv_copy._lookups("default", report)
    cells = dict(zip(lookups["neutral_names"], lookups["neutral_cells"]))
    sql = csv_copy._USER_CELL.format(x="x.name")
    with connection.cursor() as cur:
        cur.execute(f"WITH neutral(name, cell) AS (SELECT * FROM unnest(%s::text[], %s::text[])) "
                    f"SELECT x.name, {sql} FROM unnest(%s::text[]) AS x(name)",
                    [list(cells), list(cells.values()), NASTY_USERS + [""]])
        got = dict(cur.fetchall())
    assert got == {**{name: csv_cell(name) for name in NASTY_USERS}, "": None}
    assert got["-1"] == "-1" and got["=cmd|' /C calc'!A0"].startswith("'")


def test_sql_numbers_and_times_are_the_python_formatters(postgresql):
    numbers = [D(n) / D(10 ** 4) for n in range(-20011, 20011, 7)] + [
        D("9999999999999999.9999"), D("-9999999999999999.9999"), D("100"), D("0"), D("0.0001"), D("-0.5")]
    with connection.cursor() as cur:
        cur.execute("SELECT x, trim_scale(x)::text FROM unnest(%s::numeric(20,4)[]) AS x", [numbers])
        for value, text in cur.fetchall():
            assert text == csv_format.number_cell(value), value
    start = datetime(2020, 1, 1, tzinfo=dt_timezone.utc)
    moments = [start + timedelta(hours=7 * n, seconds=n) for n in range(3000)]
    for zone in ("Asia/Shanghai", "Europe/London", "America/New_York"):
        cell = csv_format.time_cell(zoneinfo.ZoneInfo(zone))
        with connection.cursor() as cur:
            cur.execute("SELECT x, to_char(x AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS') FROM unnest(%s::timestamptz[]) "
                        "AS x", [zone, moments])
            for moment, text in cur.fetchall():
                assert text == cell(moment), (zone, moment)


def test_closing_the_response_early_cancels_the_copy(nasty, official, monkeypatch):
    monkeypatch.setattr(csv_copy, "PIECE_BYTES", 1)  # one row a piece: the queue fills and the COPY waits
    monkeypatch.setattr(csv_copy, "QUEUE_PIECES", 1)
    report = services.progress_report(official, Scope(PROGRESS, "prefecture", 2024), stream=True)
    saved = transaction.savepoint()  # a cancelled statement spoils the test's transaction; autocommit in use
    pieces = csv_copy.chunks(official, report)
    assert next(pieces).startswith(b"\xef\xbb\xbf") and next(pieces).endswith(b"\r\n")
    pieces.close()
    transaction.savepoint_rollback(saved)
    with connection.cursor() as cur:  # the connection is usable again
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)


def test_every_progress_column_has_its_sql_cell():
    """A column added to the progress report needs its cell in ``csv_copy.SQL_CELLS`` too (without it the CSV
    silently falls back to the Python path, ten times slower at national scale)."""
    assert [c.key for c in services.PROGRESS_COLUMNS if c.key not in csv_copy.SQL_CELLS] == []
