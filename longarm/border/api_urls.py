from rest_framework.routers import SimpleRouter

from longarm.border.api import CrossingViewSet

router = SimpleRouter()
router.register("crossings", CrossingViewSet, basename="api-crossing")
urlpatterns = router.urls
