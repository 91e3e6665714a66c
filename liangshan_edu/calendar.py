"""The reporting calendar, defined once for every app (base layer)."""
from __future__ import annotations

from datetime import date

from django.utils import timezone

# The plans' base year: the first year a county reports (the 2021 baseline of the progress rule).
FIRST_YEAR = 2021


def open_reporting_year(today: date | None = None) -> int:
    """The year counties are reporting now: the one that has just ended (its figures are gathered in the next)."""
    return (today or timezone.localdate()).year - 1
