from django.urls import path
from rest_framework.routers import SimpleRouter

from redblack.api.appeals import AppealViewSet
from redblack.api.views import PublishView, RedBlackListViewSet, SupervisionViewSet

router = SimpleRouter()
# Before the lists' own route: redblack/appeals/ is the appeals, not a period's entries.
router.register("redblack/appeals", AppealViewSet, basename="redblack-appeal")
router.register("redblack", RedBlackListViewSet, basename="redblack")
router.register("supervisions", SupervisionViewSet, basename="supervision")
urlpatterns = [
    path("redblack/publish/", PublishView.as_view(), name="redblack-publish"),
    *router.urls,
]
