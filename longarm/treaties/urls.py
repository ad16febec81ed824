from django.urls import path

from longarm.treaties import views

app_name = "treaties"

urlpatterns = [
    path("treaties/", views.treaty_network, name="network"),
]
