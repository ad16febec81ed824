from django.urls import path

from longarm.accounts.api import MeApi, TokenIssueApi

urlpatterns = [
    path("auth/token/", TokenIssueApi.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
]
