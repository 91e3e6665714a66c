from django.urls import path

from scoring import views

urlpatterns = [
    path("", views.ranking, name="scoring-ranking"),
    path("schools/", views.school_ranking, name="scoring-schools"),
    path("schools/<int:year>/entry/", views.school_entry, name="scoring-school-entry"),
    path("schools/<int:year>/review/", views.school_review, name="scoring-school-review"),
    path("<int:year>/counties/<str:code>/", views.county_breakdown, name="scoring-county"),
    path("<int:year>/publish/", views.publish, name="scoring-publish"),
    path("<int:year>/hand-scores/", views.hand_score, name="scoring-hand-score"),
    path("<int:year>/departments/", views.department, name="scoring-department"),
    path("<int:year>/disqualifications/", views.disqualify, name="scoring-disqualify"),
]
