"""The named scoring methods of computed items: each turns one indicator's result for a county into a credit
0–1 (plain functions, no database). An item's points are its weight times the mean credit of its indicators."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from scoring.choices import Method

ONE, ZERO = Decimal(1), Decimal(0)
Q4 = Decimal("0.0001")
# Final evaluation: on time earns everything, late half (a modelling choice, docs/scoring.md).
EVALUATION_CREDIT = {"met_on_time": ONE, "met_late": Decimal("0.5"), "missed": ZERO, "no_data": ZERO}


def _q(x: Decimal) -> Decimal:
    return x.quantize(Q4, rounding=ROUND_HALF_UP)


def progress_credit(method: str, status: str, value: Decimal | None, baseline: Decimal | None,
                    expected: Decimal | None) -> Decimal:
    """The credit of one progress row (status as the engine gave it) under ``method``. A figure not reported
    (no_data) earns nothing under every method."""
    if method == Method.ACHIEVED_SHARE:
        return ONE if status == "achieved" else ZERO
    if method == Method.ON_TRACK_SHARE:
        return ONE if status in ("achieved", "on_track") else ZERO
    if method == Method.EXPECTED_PATH:
        if status in ("achieved", "on_track"):
            return ONE
        if status == "no_data" or value is None or baseline is None or expected is None or expected == baseline:
            return ZERO
        # The share of the expected progress made since the baseline (the sign handles at_most indicators).
        share = (Decimal(value) - Decimal(baseline)) / (Decimal(expected) - Decimal(baseline))
        return _q(min(max(share, ZERO), ONE))
    raise ValueError(f"not a progress method: {method}")


def evaluation_credit(result: str) -> Decimal:
    return EVALUATION_CREDIT.get(result, ZERO)
