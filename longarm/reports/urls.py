from django.urls import path

from longarm.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/recoveries/", views.recoveries_page, name="recoveries"),
    path("reports/recoveries/cases/<str:figure>/", views.recoveries_cases, name="recoveries-cases"),
    path("reports/recoveries/export.<str:fmt>", views.recoveries_export, name="recoveries-export"),
]
