from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from counties.api.views import CountyViewSet
from indicators.api.views import IndicatorViewSet, PlanViewSet

from liangshan_edu.api import HasRole, NotFoundView
from liangshan_edu.auth import ObtainAuthTokenView


class APIRoot(DefaultRouter.APIRootView):
    permission_classes = [HasRole]


router = DefaultRouter()
router.APIRootView = APIRoot
router.register("plans", PlanViewSet, basename="plan")
router.register("counties", CountyViewSet, basename="county")
router.register("indicators", IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("auth/token/", ObtainAuthTokenView.as_view(), name="api-token"),  # throttled by axes
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its settings as a script file, not inline: the Content-Security-Policy holds there too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:api-schema"), name="api-docs"),
    # Before the figures router: its figures/<pk>/ would otherwise take figures/upload/.
    path("", include("counties.api.upload_urls")),
    path("", include("counties.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("scoring.api.urls")),
    path("", include("alarms.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("redblack.api.urls")),
    path("", include(router.urls)),
    # Last: whatever names no endpoint is a JSON 404 (or the redirect to the path with its final slash).
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="api-not-found"),  # any character, newlines too
]
