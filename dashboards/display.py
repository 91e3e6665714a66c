"""Display helpers shared by every dashboard page (labels and colours of statuses and evaluation results)."""
from __future__ import annotations

from assessment.charts import STATUS_COLOURS, STATUS_ORDER
from assessment.choices import EvaluationResult
from indicators.templatetags.catalogue import num as number

RESULT_ORDER = [EvaluationResult.MET_ON_TIME, EvaluationResult.MET_LATE, EvaluationResult.MISSED,
                EvaluationResult.NO_DATA, EvaluationResult.NOT_DETERMINED]
RESULT_COLOURS = {
    EvaluationResult.MET_ON_TIME: "#2e7d32",
    EvaluationResult.MET_LATE: "#81c784",
    EvaluationResult.MISSED: "#c62828",
    EvaluationResult.NO_DATA: "#e0e0e0",
    EvaluationResult.NOT_DETERMINED: "#f5f5f5",
}

__all__ = ["RESULT_ORDER", "RESULT_COLOURS", "STATUS_COLOURS", "STATUS_ORDER", "number"]

