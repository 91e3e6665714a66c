"""The report CSV's exact bytes, pinned: the streaming CSV may be made faster, never different.

Two goldens: cells of every kind through ``csv_format.chunks`` (numbers with trailing zeros or an exponent,
negatives, None, booleans, times, text a spreadsheet would take for a formula, quotes, commas, line breaks), and the
progress and evaluation CSV of the report tests' data (the prefecture and its counties for one indicator, every
indicator of one county), provenance included. Regenerate only on
purpose: ``GOLDEN_REGENERATE=1 pytest tests/test_reports_csv_golden.py``.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from counties.models import Figure
from reports import services
from reports.formats import csv_format
from reports.scope import PROGRESS, Scope
from tests.conftest import api_for
from tests.reports_data import XICHANG, ZHAOJUE, content, series

GOLDEN = Path(__file__).parent / "golden"


def _check(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("GOLDEN_REGENERATE"):
        path.write_bytes(data)
    assert data == path.read_bytes()


def _line(**overrides) -> services.ProgressLine:
    values = dict(county=ZHAOJUE, county_name="昭觉县", plan="CMP", indicator="CMP-01", indicator_name="巩固率",
                  unit="%", kind="rate", year=2024, value=D("97.5000"), target=D("96"), target_year=2025,
                  expected=D("95.2500"), status="on_track", overdue=False, projected=D("98.1234"),
                  will_meet=True, entered_by="clerk_zhaojue", approved_by="official",
                  approved_at=datetime(2025, 3, 1, 16, 30, 5, tzinfo=dt_timezone.utc))
    values.update(overrides)
    return services.ProgressLine(**values)


def test_every_kind_of_cell_is_written_as_before():
    lines = [
        _line(),
        _line(value=D("1E+3"), target=D("0E-10"), expected=None, projected=D("-3.50"), will_meet=None,
              overdue=True, status="off_track", approved_at=None, approved_by="", entered_by=""),
        _line(indicator_name='=HYPERLINK("http://example.com","x")', unit="-", entered_by="@SUM",
              approved_by="+1 again", county_name='名字, 带逗号 "引号"\n换行', value=D("-12"), year=2023,
              target_year=None, status="achieved", approved_at=datetime(2024, 12, 31, 23, 59, 59,
                                                                        tzinfo=dt_timezone.utc)),
        _line(status="no_data", value=None, target=None, projected=None, indicator="PRE-01", kind="count",
              county="prefecture"),
        _line(status="lagging", value=D("0.1"), target=D("100.000000"), unit="", indicator_name="",
              approved_at=datetime(2025, 1, 1, 0, 0, tzinfo=dt_timezone.utc)),
        # issue 14: an assumed deadline and a condition in the plan's words
        _line(indicator="CMP-20", assumed_deadline=True, condition="30万人口以上的县（市）", status="not_determined"),
    ]
    report = services.Report(Scope(PROGRESS, "prefecture", 2024), "t", "t", services.PROGRESS_COLUMNS, iter(lines),
                             [], timezone.now(), "F1-Cx", "2024")
    _check("report_csv_cells.csv", b"".join(csv_format.chunks(report)))


@pytest.mark.django_db
def test_the_progress_and_evaluation_csv_are_written_as_before(official):
    series(official)
    sly = get_user_model().objects.create(username="=cmd|' /C calc'!A0")
    fig = Figure.objects.get(county__code=ZHAOJUE, indicator__code="CMP-01", year=2024)
    fig.history.filter(id=fig.pk).update(history_user=sly)
    Figure.objects.filter(county__code=XICHANG, indicator__code="CMP-01").update(
        approved_at=datetime(2025, 2, 3, 4, 5, 6, tzinfo=dt_timezone.utc))
    api = api_for(official)
    progress = b"".join(content(api.get("/api/v1/reports/progress/", {"year": 2024, "format": "csv", **scope}))
                        for scope in ({"county": "prefecture", "indicator": "CMP-01"}, {"county": ZHAOJUE}))
    _check("report_progress_2024.csv", progress)
    evaluation = content(api.get("/api/v1/reports/evaluation/", {"county": ZHAOJUE, "format": "csv"}))
    _check("report_evaluation_zhaojue.csv", evaluation)


def test_each_fast_cell_writes_what_the_general_way_writes():
    """The per-column formatters against ``csv_cell(text(value))`` over values of every kind, many decimals."""
    import random

    from reports.formats import csv_format

    rng = random.Random(12)
    decimals = [D(s) for s in ("0", "-0", "0.0000", "-0.0000", "100", "100.0000", "1E+3", "1.000E+3", "0E-10",
                               "1E-7", "0.0000001", "12.3450", "-12.3450", "NaN", "Infinity", "-Infinity",
                               "1234567890123456789012345678.9", "9" * 30, "0.1234567890123456789012345678901")]
    decimals += [D(rng.randint(-10**8, 10**8)).scaleb(-rng.randint(0, 8)) for _ in range(2000)]
    decimals += [D(f"{rng.uniform(-1e6, 1e6):.4f}") for _ in range(2000)]
    for value in decimals + [None, 5, 2.5]:
        assert csv_format.number_cell(value) == csv_format.general(value), value
    for value in ["", "a", "=1", "+", "-", "-5", "-x", "@a", " =x", "'", "名字", None, 3]:
        assert csv_format.text_cell(value) == csv_format.general(value), value
    for value in [0, 2024, -5, None, True, D("3")]:
        assert csv_format.integer_cell(value) == csv_format.general(value), value
    for value in [True, False, None]:
        assert csv_format.bool_cell(value) == csv_format.general(value), value
    cell = csv_format.time_cell(timezone.get_current_timezone())
    for value in [datetime(2025, 1, 1, tzinfo=dt_timezone.utc), datetime(2024, 12, 31, 16, 0, tzinfo=dt_timezone.utc),
                  timezone.now(), None]:
        assert cell(value) == csv_format.general(value), value
