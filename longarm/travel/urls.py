from django.urls import path

from longarm.travel import views

app_name = "travel"

urlpatterns = [
    path("travel/", views.trip_list, name="list"),
    path("travel/request/", views.trip_request_view, name="request"),
    path("travel/pending/", views.trip_pending, name="pending"),
    path("travel/<str:trip_id>/<str:action>/", views.trip_act, name="act"),
]
