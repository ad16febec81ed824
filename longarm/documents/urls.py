from django.urls import path

from longarm.documents import views

app_name = "documents"

urlpatterns = [
    path("vault/", views.vault_list, name="vault"),
    path("documents/mrz-check/", views.mrz_check, name="mrz-check"),
    path("vault/reminders/<int:pk>/read/", views.reminder_read, name="reminder-read"),
    path("vault/<str:document_id>/", views.vault_document, name="vault-document"),
    path("vault/<str:document_id>/<str:action>/", views.vault_act, name="vault-act"),
]
