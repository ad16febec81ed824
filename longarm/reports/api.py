"""REST API of the recoveries report: the spec's figures over the cases the caller may see, and the cases
behind each figure. A national role gets the national report; a pursuit officer their jurisdiction's."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.models import Role
from longarm.api_common import AUTHENTICATION_CLASSES, DomainRefusal, role_permission
from longarm.audit.services import audit_record
from longarm.cases.api import CaseSerializer
from longarm.cases.models import Case, Operation, Recovery
from longarm.reports.errors import ReportError
from longarm.reports.recoveries import FIGURES, Period, cases_behind, operation_period, recoveries_report

ReadsStatistics = role_permission(Role.PURSUIT_OFFICER, Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST,
                                  Role.ADMINISTRATOR, message="Your role does not read pursuit statistics.")
PERIOD_PARAMETERS = [
    OpenApiParameter("from", str, description="first day, YYYY-MM-DD"),
    OpenApiParameter("to", str, description="last day, YYYY-MM-DD (inclusive)"),
    OpenApiParameter("operation", str, description="the period of a named operation instead of from/to"),
]


class ReportView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated, ReadsStatistics]

    def period(self, request) -> Period:
        params = request.query_params
        try:
            if params.get("operation"):
                return operation_period(params["operation"])
            if not params.get("from") or not params.get("to"):
                raise DomainRefusal("Give from and to (YYYY-MM-DD), or operation.")
            field = serializers.DateField()
            return Period(field.to_internal_value(params["from"]), field.to_internal_value(params["to"]))
        except ReportError as error:
            raise DomainRefusal(error.message) from None

    def scope(self, request):
        cases = Case.objects.visible_to(request.user)
        return cases, Recovery.objects.visible_to(request.user)


class RecoveriesReportView(ReportView):
    @extend_schema(summary="The recoveries report (the spec's JSON object) over the cases you may see",
                   parameters=PERIOD_PARAMETERS, responses={200: dict})
    def get(self, request):
        period = self.period(request)
        cases, recoveries = self.scope(request)
        try:
            report = recoveries_report(period=period, cases=cases, recoveries=recoveries)
        except ReportError as error:
            raise DomainRefusal(error.message) from None
        return Response(report)


class RecoveriesCasesView(ReportView):
    @extend_schema(summary="The cases behind one figure of the recoveries report (audited)",
                   parameters=[*PERIOD_PARAMETERS, OpenApiParameter("figure", str, enum=list(FIGURES))],
                   responses=CaseSerializer(many=True))
    def get(self, request):
        period = self.period(request)
        figure = request.query_params.get("figure", "")
        if figure not in FIGURES:
            raise DomainRefusal(f"figure must be one of {', '.join(FIGURES)}.")
        cases, recoveries = self.scope(request)
        behind = list(cases_behind(figure, period=period, cases=cases, recoveries=recoveries).order_by("case_id"))
        audit_record(actor=request.user, action="list", target_type="cases.case",
                     detail={"figure": figure, "from": period.date_from, "to": period.date_to,
                             "ids": [case.pk for case in behind]})
        return Response(CaseSerializer(behind, many=True).data)


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operation
        fields = ["name", "starts_on", "ends_on", "description"]
        read_only_fields = fields


class OperationsView(ReportView):
    @extend_schema(summary="Named operations: each one a period of statistics", responses=OperationSerializer(many=True))
    def get(self, request):
        return Response(OperationSerializer(Operation.objects.all(), many=True).data)
