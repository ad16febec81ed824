from django.urls import path

from longarm.registry import views

app_name = "registry"

urlpatterns = [
    path("officials/", views.official_list, name="official-list"),
    path("officials/export.csv", views.official_export, name="official-export"),
    path("officials/<str:official_id>/", views.official_detail, name="official-detail"),
]
