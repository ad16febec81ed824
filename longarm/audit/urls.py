from django.urls import path

from longarm.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_log, name="log"),
    path("audit/verify/", views.audit_chain_verify, name="verify"),
]
