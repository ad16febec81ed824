from rest_framework.routers import SimpleRouter

from longarm.registry.api import OfficialViewSet, RelativeViewSet

router = SimpleRouter()
router.register("officials", OfficialViewSet, basename="api-official")
router.register("relatives", RelativeViewSet, basename="api-relative")
urlpatterns = router.urls
