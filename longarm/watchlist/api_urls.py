from rest_framework.routers import SimpleRouter

from longarm.watchlist.api import WatchlistEntryViewSet

router = SimpleRouter()
router.register("watchlist", WatchlistEntryViewSet, basename="api-watchlist-entry")
urlpatterns = router.urls
