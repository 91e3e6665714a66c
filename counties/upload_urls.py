from django.urls import path

from counties import views

urlpatterns = [
    path("template/<str:county_code>/<int:year>/", views.figure_template, name="figure-template"),
    path("<int:year>/", views.figure_upload, name="figure-upload"),
]
