"""URL map. Each app owns its `urls.py` (web UI) and `api_urls.py` (REST API)."""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from longarm import views
from longarm.watchlist.border_check_api import border_check_view

APPS = ["accounts", "registry", "documents", "travel", "border", "watchlist", "alerts", "cases", "treaties",
        "reports", "audit", "runs", "identity"]


def _app_urls(module: str):
    return [path("", include(f"longarm.{app}.{module}")) for app in APPS if find_spec(f"longarm.{app}.{module}")]


urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/border/check", border_check_view, name="border-check"),
    # Workflow endpoints come before the read-only API so that their fixed paths
    # (trips/pending/, watchlist/due-for-review/) are not read as record ids.
    path("api/", include("longarm.travel.workflow_api")),
    path("api/", include("longarm.watchlist.workflow_api")),
    path("api/", include("longarm.documents.workflow_api")),
    path("api/", include(_app_urls("api_urls"))),
    *_app_urls("urls"),
]
