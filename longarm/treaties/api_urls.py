from django.urls import path
from rest_framework.routers import SimpleRouter

from longarm.treaties import api

router = SimpleRouter()
router.register("treaties", api.TreatyViewSet, basename="api-treaty")
urlpatterns = [
    path("treaties/summary/", api.SummaryView.as_view(), name="api-treaty-summary"),
    path("treaties/avenues/<str:country>/", api.AvenuesView.as_view(), name="api-treaty-avenues"),
    *router.urls,
]
