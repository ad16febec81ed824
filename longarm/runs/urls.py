from django.urls import path

from longarm.runs import views

app_name = "runs"

urlpatterns = [
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:run_id>/", views.run_detail, name="run-detail"),
]
