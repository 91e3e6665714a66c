from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api.views import (EvaluationReportView, ExportRecordViewSet, HistoryReportView, ProgressReportView,
                               VerifyView)

router = SimpleRouter()
router.register("reports/exports", ExportRecordViewSet, basename="report-export")
urlpatterns = [
    path("reports/progress/", ProgressReportView.as_view(), name="report-progress"),
    path("reports/evaluation/", EvaluationReportView.as_view(), name="report-evaluation"),
    path("reports/history/", HistoryReportView.as_view(), name="report-history"),
    path("reports/verify/", VerifyView.as_view(), name="report-verify"),
    *router.urls,
]
