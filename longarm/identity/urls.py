from django.urls import path

from longarm.identity import views

app_name = "identity"

urlpatterns = [
    path("identity/", views.pair_queue, name="queue"),
    path("identity/export.csv", views.pair_export, name="export"),
    path("identity/pairs/of-alert/<int:alert_pk>/", views.pair_of_alert, name="of-alert"),
    path("identity/pairs/<int:pk>/", views.pair_detail, name="detail"),
    path("identity/pairs/<int:pk>/decide/", views.pair_decide_view, name="decide"),
]
