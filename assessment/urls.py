from django.urls import path

from assessment import views

urlpatterns = [
    path("", views.overview, name="progress-overview"),
    path("indicators/<str:code>/", views.indicator_progress, name="indicator-progress"),
]
