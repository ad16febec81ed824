from django.urls import path

from longarm.reports import api

urlpatterns = [
    path("reports/recoveries/", api.RecoveriesReportView.as_view(), name="api-report-recoveries"),
    path("reports/recoveries/cases/", api.RecoveriesCasesView.as_view(), name="api-report-recoveries-cases"),
    path("reports/operations/", api.OperationsView.as_view(), name="api-report-operations"),
]
