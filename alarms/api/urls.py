from rest_framework.routers import SimpleRouter

from alarms.api.views import AlarmViewSet

router = SimpleRouter()
router.register("alarms", AlarmViewSet, basename="alarm")
urlpatterns = router.urls
