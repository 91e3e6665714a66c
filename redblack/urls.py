from django.urls import path

from redblack.views import appeals, lists

urlpatterns = [
    path("", lists.lists_page, name="redblack-lists"),
    path("history/", lists.history_page, name="redblack-history"),
    path("preview/", lists.preview_page, name="redblack-preview"),
    path("publications/<int:pk>/", lists.publication_page, name="redblack-publication"),
    path("publications/<int:pk>/correct/", lists.correct_view, name="redblack-correct"),
    path("jobs/<uuid:pk>/", lists.job_page, name="redblack-job"),
    path("entries/<int:pk>/appeal/", appeals.appeal_new, name="redblack-appeal"),
    path("appeals/", appeals.appeals_page, name="redblack-appeals"),
    path("appeals/<int:pk>/decide/", appeals.appeal_decide, name="redblack-appeal-decide"),
]
