"""Hand-made data for the red/black list and supervision tests: progress rows typed in directly (the rules read
the engine's statuses, they do not recompute them), a published period, a notice."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment.models import Progress
from indicators.models import Indicator

XICHANG, ZHAOJUE, HUILI = "513401", "513431", "513402"
YEAR = 2025


def progress(area: str, code: str, year: int, status: str, value=None, *, expected=None, target=None,
             target_year=2025, overdue: bool = False) -> Progress:
    return Progress.objects.create(
        area=area, indicator=Indicator.objects.get(code=code), year=year, status=status, overdue=overdue,
        value=None if value is None else D(str(value)), expected=None if expected is None else D(str(expected)),
        target=None if target is None else D(str(target)), target_year=target_year)


def lagging_zhaojue() -> None:
    """昭觉 off track on CMP-01 in 2025 (90.04 against an expected 94.96, target 96); 西昌 newly achieved
    CMP-01 (lagging in 2024, 96.25 in 2025)."""
    progress(ZHAOJUE, "CMP-01", YEAR, "off_track", 90.04, expected=94.96, target=96)
    progress(XICHANG, "CMP-01", YEAR - 1, "lagging", 93, expected=95, target=96)
    progress(XICHANG, "CMP-01", YEAR, "achieved", 96.25, expected=96, target=96)


@pytest.fixture(autouse=True)
def default_rules(db):
    """The shipped rules (the test database is built without migrations, so their data migration does not run).
    (The project's language is made active before every test by ``tests.conftest._project_language``.)"""
    from redblack.defaults import ensure_defaults
    from redblack.models import ListRule

    ensure_defaults(ListRule)
