from django.urls import path

from dashboards import county, indicator, views

urlpatterns = [
    path("", views.home, name="home"),
    path("counties/<str:code>/", county.county_page, name="county-page"),
    path("indicators/<str:code>/", indicator.indicator_page, name="indicator-page"),
]
