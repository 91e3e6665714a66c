from django.urls import path
from rest_framework.routers import SimpleRouter

from redblack.api.views import PublishView, RedBlackListViewSet, SupervisionViewSet

router = SimpleRouter()
router.register("redblack", RedBlackListViewSet, basename="redblack")
router.register("supervisions", SupervisionViewSet, basename="supervision")
urlpatterns = [
    path("redblack/publish/", PublishView.as_view(), name="redblack-publish"),
    *router.urls,
]
