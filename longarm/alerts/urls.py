from django.urls import path

from longarm.alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_inbox, name="inbox"),
    path("alerts/export.csv", views.alert_export, name="export"),
    path("alerts/dashboard/", views.alert_dashboard, name="dashboard"),
    path("alerts/<int:pk>/", views.alert_detail, name="detail"),
    path("alerts/<int:pk>/<str:action>/", views.alert_act, name="act"),
]
