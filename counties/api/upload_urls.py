from django.urls import path

from counties.api.upload import FigureTemplateCSVView, FigureUploadView

urlpatterns = [
    path("figures/template.csv", FigureTemplateCSVView.as_view(), name="figure-template"),
    path("figures/upload/", FigureUploadView.as_view(), name="figure-upload"),
]
