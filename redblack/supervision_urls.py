from django.urls import path

from redblack.views import supervision

urlpatterns = [
    path("", supervision.notices_page, name="supervision-list"),
    path("new/", supervision.notice_new, name="supervision-new"),
    path("<int:pk>/", supervision.notice_page, name="supervision-notice"),
    path("evidence/<int:pk>/", supervision.evidence_file, name="supervision-evidence"),
]
