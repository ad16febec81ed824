from rest_framework.routers import SimpleRouter

from longarm.documents.api import CustodyEventViewSet, DocumentViewSet

router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="api-document")
router.register("custody-events", CustodyEventViewSet, basename="api-custody-event")
urlpatterns = router.urls
