"""Figures API routes (included under /api/v1/). A SimpleRouter: the API root belongs to liangshan_edu.api_urls."""
from rest_framework.routers import SimpleRouter

from counties.api.views import FigureViewSet

router = SimpleRouter()
router.register("figures", FigureViewSet, basename="figure")

urlpatterns = router.urls
