from rest_framework.routers import SimpleRouter

from longarm.travel.api import TripViewSet

router = SimpleRouter()
router.register("trips", TripViewSet, basename="api-trip")
urlpatterns = router.urls
