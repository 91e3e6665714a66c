from django.urls import path

from indicators import views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("plans/<slug:code>/", views.plan_detail, name="plan-detail"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator-detail"),
]
