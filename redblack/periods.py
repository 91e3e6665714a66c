"""Periods of the lists: ``2026-11`` (monthly, 月通报) and ``2026-Q3`` (quarterly, 季挂榜)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PATTERN = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))$")
MONTHLY, QUARTERLY = "monthly", "quarterly"


class PeriodError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    """A period, ordered by its end: ``2026-09`` < ``2026-Q3`` (a quarter after its last month) < ``2026-10``."""

    year: int
    end_month: int
    quarterly: bool
    text: str

    @property
    def kind(self) -> str:
        return QUARTERLY if self.quarterly else MONTHLY


def parse(text: str | None) -> Period:
    """``2026-11`` or ``2026-Q3`` (a capital Q); anything else raises PeriodError with a message a person acts on."""
    match = PATTERN.match((text or "").strip())
    if not match:
        raise PeriodError(_("期次格式应为 YYYY-MM（月度，如 2026-11）或 YYYY-Qn（季度，如 2026-Q3）。"))
    year = int(match["year"])
    if match["quarter"]:
        return Period(year, int(match["quarter"]) * 3, True, f"{year}-Q{match['quarter']}")
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise PeriodError(_("月份须在 01 至 12 之间。"))
    return Period(year, month, False, f"{year}-{month:02d}")


def sort_key(text: str) -> Period:
    return parse(text)
