from rest_framework.routers import SimpleRouter

from longarm.audit.api import AuditEntryViewSet

router = SimpleRouter()
router.register("audit-entries", AuditEntryViewSet, basename="api-audit-entry")
urlpatterns = router.urls
