from django.urls import path

from longarm.watchlist import views

app_name = "watchlist"

urlpatterns = [
    path("watchlist/", views.watchlist_list, name="list"),
    path("watchlist/propose/", views.watchlist_propose_view, name="propose"),
    path("watchlist/<str:entry_id>/", views.watchlist_entry, name="entry"),
    path("watchlist/<str:entry_id>/<str:action>/", views.watchlist_act, name="act"),
]
