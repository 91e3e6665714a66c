"""Display helpers shared by every dashboard page (labels and colours of statuses and evaluation results)."""
from __future__ import annotations

from decimal import Decimal

from assessment.charts import STATUS_COLOURS, STATUS_ORDER
from assessment.choices import EvaluationResult

RESULT_ORDER = [EvaluationResult.MET_ON_TIME, EvaluationResult.MET_LATE, EvaluationResult.MISSED,
                EvaluationResult.NO_DATA]
RESULT_COLOURS = {
    EvaluationResult.MET_ON_TIME: "#2e7d32",
    EvaluationResult.MET_LATE: "#81c784",
    EvaluationResult.MISSED: "#e53935",
    EvaluationResult.NO_DATA: "#e0e0e0",
}

__all__ = ["RESULT_ORDER", "RESULT_COLOURS", "STATUS_COLOURS", "STATUS_ORDER", "number"]


def number(value: Decimal | None) -> str:
    """A stored number for people: no trailing zeros, — when missing."""
    if value is None:
        return "—"
    text = f"{value.normalize():f}" if isinstance(value, Decimal) else f"{value:g}"
    return text
