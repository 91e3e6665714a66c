"""Display helpers shared by every dashboard page (labels and colours of statuses and evaluation results)."""
from __future__ import annotations

from assessment.charts import STATUS_COLOURS, STATUS_ORDER
from assessment.choices import EvaluationResult
from indicators.templatetags.catalogue import num as number

RESULT_ORDER = [EvaluationResult.MET_ON_TIME, EvaluationResult.MET_LATE, EvaluationResult.MISSED,
                EvaluationResult.NO_DATA]
RESULT_COLOURS = {
    EvaluationResult.MET_ON_TIME: "#2e7d32",
    EvaluationResult.MET_LATE: "#81c784",
    EvaluationResult.MISSED: "#e53935",
    EvaluationResult.NO_DATA: "#e0e0e0",
}

# The pill a result is shown with: the status pill of the same meaning (their colours reach 4.5:1 contrast).
RESULT_PILL = {
    EvaluationResult.MET_ON_TIME: "status-achieved",
    EvaluationResult.MET_LATE: "status-on_track",
    EvaluationResult.MISSED: "status-off_track",
    EvaluationResult.NO_DATA: "status-no_data",
}

__all__ = ["RESULT_PILL", "RESULT_ORDER", "RESULT_COLOURS", "STATUS_COLOURS", "STATUS_ORDER", "number"]

