from django.urls import path

from longarm.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/from-alert/<int:alert_id>/", views.case_open_from_alert, name="open-from-alert"),
    path("cases/<str:case_id>/", views.case_detail, name="detail"),
    path("cases/<str:case_id>/<str:action>/", views.case_act, name="act"),
]
