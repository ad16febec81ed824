from rest_framework.routers import SimpleRouter

from longarm.identity.api import PairViewSet

router = SimpleRouter()
router.register("identity/pairs", PairViewSet, basename="api-identity-pair")
urlpatterns = router.urls
