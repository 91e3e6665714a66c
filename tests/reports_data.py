"""Shared data of the report tests: a small series for 昭觉县 and 西昌市, recomputed."""
from __future__ import annotations

import csv
import io
from decimal import Decimal as D

from assessment.services import recompute_all
from places.models import County
from counties.models import Figure
from indicators.models import Indicator

XICHANG, ZHAOJUE = "513401", "513431"


def figure(code: str | None, indicator: str, year: int, value, status: str = "approved", **extra) -> Figure:
    ind = Indicator.objects.get(code=indicator)
    if ind.kind == "rate" and "denominator" not in extra:
        extra.update(numerator=D(value), denominator=D(100))
    return Figure.objects.create(county=County.objects.get(code=code) if code else None, indicator=ind, year=year,
                                 value=D(value), status=status, **extra)


def series(official=None) -> None:
    """CMP-01 (九年义务教育巩固率 ≥ 96 % by 2025) for both counties 2021–2024; CMP-09 (56-pupil classes) for
    昭觉; PRE-01 for 西昌 only in 2024."""
    for year, value in ((2021, 90), (2022, 92), (2023, 93), (2024, 97)):
        figure(ZHAOJUE, "CMP-01", year, value, approved_by=official)
        figure(XICHANG, "CMP-01", year, value - 1, approved_by=official)
    for year, n in ((2021, 5), (2022, 3), (2023, 2), (2024, 0)):
        figure(ZHAOJUE, "CMP-09", year, n)
    figure(XICHANG, "PRE-01", 2024, 95)
    recompute_all()


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    data = content(response)
    assert data.startswith(b"\xef\xbb\xbf"), "CSV without a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
