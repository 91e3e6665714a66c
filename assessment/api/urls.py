from rest_framework.routers import SimpleRouter

from assessment.api.views import EvaluationViewSet, ProgressViewSet, RecomputeViewSet

router = SimpleRouter()
router.register("progress", ProgressViewSet, basename="progress")
router.register("evaluation", EvaluationViewSet, basename="evaluation")
router.register("recompute", RecomputeViewSet, basename="recompute")
urlpatterns = router.urls
