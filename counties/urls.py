from django.urls import path

from counties import views

urlpatterns = [
    path("entry/<int:year>/", views.entry, name="figure-entry"),
    path("entry/<str:county_code>/<int:year>/", views.entry_county, name="figure-entry-county"),
    path("review/", views.review_queue, name="review-queue"),
    path("<int:pk>/history/", views.figure_history, name="figure-history"),
    path("audit/", views.audit_log, name="audit-log"),
    path("reporting/<int:year>/", views.reporting_status, name="reporting-status"),
]
