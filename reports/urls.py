from django.urls import path

from reports import views

urlpatterns = [
    path("", views.exports_page, name="reports-page"),
    path("progress/", views.progress_file, name="report-progress-file"),
    path("evaluation/", views.evaluation_file, name="report-evaluation-file"),
    path("history/", views.history_file, name="report-history-file"),
    path("redblack/", views.redblack_file, name="report-redblack-file"),
    path("jobs/", views.start_job, name="report-job"),
    path("exports/<uuid:pk>/download/", views.download_record, name="report-download"),
    path("verify/", views.verify, name="report-verify-page"),
]
