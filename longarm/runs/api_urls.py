from rest_framework.routers import SimpleRouter

from longarm.runs.api import RunViewSet

router = SimpleRouter()
router.register("runs", RunViewSet, basename="api-run")
urlpatterns = router.urls
