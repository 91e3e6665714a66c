from django.urls import path

from counties import upload_views

urlpatterns = [
    path("template/<str:county_code>/<int:year>/", upload_views.figure_template, name="figure-template"),
    path("<int:year>/", upload_views.figure_upload, name="figure-upload"),
]
