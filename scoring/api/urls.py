from django.urls import path

from scoring.api import views

urlpatterns = [
    path("assessments/", views.AssessmentListView.as_view(), name="assessment-list"),
    path("assessments/breakdown/", views.BreakdownView.as_view(), name="assessment-breakdown"),
    path("assessments/schools/", views.SchoolRankingView.as_view(), name="assessment-schools"),
    path("assessments/departments/", views.DepartmentListView.as_view(), name="assessment-departments"),
    path("assessments/publish/", views.PublishView.as_view(), name="assessment-publish"),
]
