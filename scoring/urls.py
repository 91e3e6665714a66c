from django.urls import path

from scoring import views

urlpatterns = [
    path("", views.ranking, name="scoring-ranking"),
    path("<int:year>/counties/<str:code>/", views.county_breakdown, name="scoring-county"),
    path("<int:year>/publish/", views.publish, name="scoring-publish"),
    path("<int:year>/hand-scores/", views.hand_score, name="scoring-hand-score"),
    path("<int:year>/disqualifications/", views.disqualify, name="scoring-disqualify"),
]
