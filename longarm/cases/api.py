"""REST API of the pursuit: cases with their timeline, requests to foreign states, recoveries.

Reads are scoped (a case of another jurisdiction answers 404) and audited.
Every change is one workflow endpoint over one service; the service's refusal
answers 400 with its message, a role that does not pursue answers 403.
"""

import django_filters
from django.apps import apps
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from longarm.accounts.models import Role
from longarm.api_common import ScopedReadOnlyViewSet, WorkflowAPIView, role_permission
from longarm.audit.services import audit_record
from longarm.cases import services
from longarm.cases.errors import CaseError, CasePermissionError
from longarm.cases.ftm import case_ftm_lines
from longarm.cases.models import (
    ANSWER_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Category,
    Measure,
    MeasureKind,
    MeasureStatus,
    Recovery,
    RecoveryAvenue,
    ReturnAvenue,
)
from longarm.cases.selectors import case_recovered_total, measure_reminders
from longarm.registry.models import Official, Sex
from longarm.reports.errors import MissingRateError
from longarm.treaties.selectors import avenues_for_case

# Who reads fugitive cases: the pursuers and the analysts who hand cases over to them.
CASE_READER_ROLES = (Role.PURSUIT_OFFICER, Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST, Role.ADMINISTRATOR)
ReadsCases = role_permission(*CASE_READER_ROLES, message="Your role does not read fugitive cases.")
ANSWER_CHOICES = [(answer.value, answer.label) for answer in ANSWER_STATUSES]
WorksCases = role_permission(*services.CASE_OPENER_ROLES, message="Your role does not work fugitive cases.")


# --- reads ------------------------------------------------------------------------------------------------

CASE_FIELDS = ["case_id", "official", "family_name", "given_name", "native_name", "date_of_birth", "sex", "category",
               "jurisdiction", "offences", "amount_involved", "amount_currency", "fled_on", "located_in",
               "red_notice_on", "red_notice_ref", "priority_list", "priority_listed_on", "status", "status_on",
               "returned_on", "returned_from", "return_avenue", "closed_reason", "source", "source_alert"]


class CaseSerializer(serializers.ModelSerializer):
    located_in = serializers.ListField(source="located_in_list", child=serializers.CharField(), read_only=True)
    amount_involved = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=True,
                                               read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = CASE_FIELDS
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["happened_on", "kind", "summary", "detail", "recorded_at", "recorded_by"]
        read_only_fields = fields


class MeasureSerializer(serializers.ModelSerializer):
    measure_id = serializers.IntegerField(source="id", read_only=True)
    case = serializers.CharField(source="case_id", read_only=True)

    class Meta:
        model = Measure
        fields = ["measure_id", "case", "kind", "country", "reference", "status", "sent_on", "answer_due_on",
                  "answered_on", "outcome"]
        read_only_fields = fields


class RecoverySerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case_id", read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=24, decimal_places=4, coerce_to_string=True, read_only=True)

    class Meta:
        model = Recovery
        fields = ["recovery_id", "case", "recovered_on", "amount", "currency", "from_country", "avenue",
                  "description"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()
    measures = MeasureSerializer(many=True, read_only=True)
    recoveries = RecoverySerializer(many=True, read_only=True)
    avenues = serializers.SerializerMethodField(help_text="what the agreements with each last known country open")
    recovered_total = serializers.SerializerMethodField(help_text="recoveries in the reporting currency")

    class Meta(CaseSerializer.Meta):
        fields = [*CASE_FIELDS, "timeline", "measures", "recoveries", "avenues", "recovered_total"]
        read_only_fields = fields

    def get_timeline(self, case: Case) -> list[dict]:
        events = case.events.select_related("recorded_by").order_by("happened_on", "id")
        return CaseEventSerializer(events, many=True).data

    def get_avenues(self, case: Case) -> list[dict]:
        return [{"country": a.country, "opened": [{"kind": o.kind, "label": o.label} for o in a.opened],
                 "signed_only": list(a.signed_only), "none": a.none, "message": a.message}
                for a in avenues_for_case(case)]

    def get_recovered_total(self, case: Case) -> dict:
        try:
            total = case_recovered_total(case=case)
        except MissingRateError as error:
            return {"amount": None, "currency": None, "count": case.recoveries.count(), "error": error.message}
        return {"amount": f"{total.amount:.2f}", "currency": total.currency, "count": total.count, "error": None}


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    jurisdiction = django_filters.CharFilter()
    official = django_filters.CharFilter(field_name="official_id")
    returned_on = django_filters.DateFromToRangeFilter(help_text="returned_on_after / returned_on_before, inclusive")
    located_in = django_filters.CharFilter(lookup_expr="contains", help_text="an ISO alpha-3 country code")
    priority_list = django_filters.BooleanFilter()

    class Meta:
        model = Case
        fields = ["status", "category", "jurisdiction", "official", "returned_on", "located_in", "priority_list"]


class CaseReads(ScopedReadOnlyViewSet):
    permission_classes = [IsAuthenticated, ReadsCases]


@extend_schema_view(
    list=extend_schema(summary="Fugitive cases of your jurisdiction (audited)"),
    retrieve=extend_schema(summary="One case with its timeline, requests, recoveries and avenues (audited)"),
)
class CaseViewSet(CaseReads):
    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    detail_serializer_class = CaseDetailSerializer
    detail_prefetch_related = ("measures", "recoveries")
    filterset_class = CaseFilter
    ordering_fields = ["case_id", "family_name", "fled_on", "returned_on", "status_on"]
    ordering = ["family_name", "given_name"]


class MeasureFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(field_name="case_id")
    kind = django_filters.ChoiceFilter(choices=MeasureKind.choices)
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices)
    country = django_filters.CharFilter()

    class Meta:
        model = Measure
        fields = ["case", "kind", "status", "country"]


@extend_schema_view(list=extend_schema(summary="Requests to foreign states on your cases (audited)"),
                    retrieve=extend_schema(summary="One request to a foreign state (audited)"))
class MeasureViewSet(CaseReads):
    queryset = Measure.objects.none()
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["sent_on", "answer_due_on", "id"]
    ordering = ["answer_due_on", "id"]


class RecoveryFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(field_name="case_id")
    currency = django_filters.CharFilter()
    from_country = django_filters.CharFilter()
    recovered_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Recovery
        fields = ["case", "currency", "from_country", "recovered_on"]


@extend_schema_view(list=extend_schema(summary="Recoveries on your cases (audited)"),
                    retrieve=extend_schema(summary="One recovery (audited)"))
class RecoveryViewSet(CaseReads):
    queryset = Recovery.objects.none()
    serializer_class = RecoverySerializer
    filterset_class = RecoveryFilter
    ordering_fields = ["recovered_on", "recovery_id"]
    ordering = ["recovered_on", "recovery_id"]


class CaseFtmView(WorkflowAPIView):
    """The case's subject, family and assets as FollowTheMoney JSON lines (audited as an export)."""

    permission_classes = [IsAuthenticated, ReadsCases]

    @extend_schema(summary="Export a case as FollowTheMoney entities (JSON lines)", responses={200: str})
    def get(self, request, case_id: str):
        case = Case.objects.select_related("official").get_visible(request.user, pk=case_id)
        lines = list(case_ftm_lines(case))
        audit_record(actor=request.user, action="case.export_ftm", target=case, detail={"entities": len(lines)})
        return HttpResponse("\n".join(lines) + "\n", content_type="application/x-ndjson")


class MeasureRemindersView(WorkflowAPIView):
    """Requests whose answer is overdue or due within two weeks, most urgent first."""

    permission_classes = [IsAuthenticated, ReadsCases]

    @extend_schema(summary="Deadlines of requests to foreign states coming up", responses=MeasureSerializer(many=True))
    def get(self, request):
        as_of = timezone.localdate()
        if request.query_params.get("as_of"):
            as_of = serializers.DateField().to_internal_value(request.query_params["as_of"])
        reminders = measure_reminders(user=request.user, as_of=as_of)
        audit_record(actor=request.user, action="list", target_type="cases.measure",
                     detail={"reminders_as_of": as_of, "ids": [r.measure.pk for r in reminders]})
        return Response([{**MeasureSerializer(r.measure).data, "days_left": r.days_left, "overdue": r.overdue}
                         for r in reminders])


# --- changes ----------------------------------------------------------------------------------------------


class PursuitAction(WorkflowAPIView):
    """One service per endpoint. A refused role answers 403; a refused change 400 with the service's message."""

    permission_classes = [IsAuthenticated, WorksCases]
    domain_errors = (CaseError,)

    def handle_exception(self, exc):
        if isinstance(exc, CasePermissionError):
            exc = exceptions.PermissionDenied(exc.message)
        return super().handle_exception(exc)

    def case(self, request, case_id: str) -> Case:
        return Case.objects.get_visible(request.user, pk=case_id)

    def respond(self, instance, code=status.HTTP_200_OK) -> Response:
        serializer = MeasureSerializer if isinstance(instance, Measure) else (
            RecoverySerializer if isinstance(instance, Recovery) else CaseSerializer)
        return Response(serializer(instance).data, status=code)


class CaseOpenView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        case_id = serializers.CharField(required=False, max_length=64)
        official = serializers.CharField(required=False, help_text="official_id, when the subject is registered")
        family_name = serializers.CharField()
        given_name = serializers.CharField()
        native_name = serializers.CharField(required=False, default="")
        date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
        sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True, default="")
        category = serializers.ChoiceField(choices=Category.choices)
        jurisdiction = serializers.CharField()
        offences = serializers.CharField()
        amount_involved = serializers.DecimalField(max_digits=24, decimal_places=4, required=False, allow_null=True,
                                                   default=None)
        amount_currency = serializers.CharField(required=False, default="")
        fled_on = serializers.DateField(required=False, allow_null=True, default=None)
        located_in = serializers.ListField(child=serializers.CharField(), required=False, default=list)
        priority_list = serializers.BooleanField(required=False, default=False)

    @extend_schema(summary="Open a case by hand", request=InputSerializer, responses={201: CaseSerializer})
    def post(self, request):
        data = self.parse(request)
        official_id = data.pop("official", None)
        official = Official.objects.get_visible(request.user, pk=official_id) if official_id else None
        return self.respond(services.case_open(official=official, actor=request.user, **data), status.HTTP_201_CREATED)


class CaseFromAlertView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        alert_id = serializers.IntegerField()
        offences = serializers.CharField(required=False, default="")
        fled_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(summary="Open a case from a MISSING or UNAUTHORIZED_EXIT alert", request=InputSerializer,
                   responses={201: CaseSerializer})
    def post(self, request):
        data = self.parse(request)
        alert = apps.get_model("alerts", "Alert").objects.visible_to(request.user).filter(pk=data["alert_id"]).first()
        if alert is None:
            raise exceptions.NotFound("No alert matches the given query.")
        case = services.case_open_from_alert(alert=alert, offences=data["offences"], fled_on=data["fled_on"],
                                             actor=request.user)
        return self.respond(case, status.HTTP_201_CREATED)


class CaseLocatedView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        countries = serializers.ListField(child=serializers.CharField(), min_length=1)
        located_on = serializers.DateField()

    @extend_schema(summary="Record where the subject was located", request=InputSerializer,
                   responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_record_located(case=self.case(request, case_id), actor=request.user, **data))


class CaseDetentionView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        country = serializers.CharField()
        detained_on = serializers.DateField()

    @extend_schema(summary="Record that the subject is detained abroad", request=InputSerializer,
                   responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_record_detention(case=self.case(request, case_id), actor=request.user,
                                                           **data))


class CaseReturnView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        returned_on = serializers.DateField()
        returned_from = serializers.CharField()
        return_avenue = serializers.ChoiceField(choices=ReturnAvenue.choices)

    @extend_schema(summary="Record the subject's return (date, country or region, avenue)", request=InputSerializer,
                   responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_record_return(case=self.case(request, case_id), actor=request.user, **data))


class CaseDeathView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        died_on = serializers.DateField()
        country = serializers.CharField(required=False, default="")

    @extend_schema(summary="Record the subject's death", request=InputSerializer, responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_record_death(case=self.case(request, case_id), actor=request.user, **data))


class CaseCloseView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(summary="Close a case with the reason", request=InputSerializer, responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_close(case=self.case(request, case_id), actor=request.user, **data))


class CasePriorityListView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        listed = serializers.BooleanField()
        on = serializers.DateField()

    @extend_schema(summary="Put on or take off the most-wanted list", request=InputSerializer,
                   responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_set_priority_list(case=self.case(request, case_id), actor=request.user,
                                                            **data))


class CaseRedNoticeView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        published_on = serializers.DateField()
        notice = serializers.JSONField(help_text="the notice as INTERPOL's public notices API returns it")

    @extend_schema(summary="Import a red notice (INTERPOL's JSON) into a case", request=InputSerializer,
                   responses=CaseSerializer)
    def post(self, request, case_id: str):
        data = self.parse(request)
        return self.respond(services.case_import_red_notice(case=self.case(request, case_id), actor=request.user,
                                                            notice=data["notice"], published_on=data["published_on"]))


class MeasureOpenView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MeasureKind.choices)
        country = serializers.CharField()
        reference = serializers.CharField(required=False, default="")
        sent_on = serializers.DateField(required=False, allow_null=True, default=None)
        answer_due_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(summary="Open a request to a foreign state", request=InputSerializer,
                   responses={201: MeasureSerializer})
    def post(self, request, case_id: str):
        data = self.parse(request)
        measure = services.measure_open(case=self.case(request, case_id), actor=request.user, **data)
        return self.respond(measure, status.HTTP_201_CREATED)


class MeasureAction(PursuitAction):
    def measure(self, request, measure_id: int) -> Measure:
        return Measure.objects.get_visible(request.user, pk=measure_id)


class MeasureSentView(MeasureAction):
    class InputSerializer(serializers.Serializer):
        sent_on = serializers.DateField()
        answer_due_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(summary="Record that a request was sent, with its deadline", request=InputSerializer,
                   responses=MeasureSerializer)
    def post(self, request, measure_id: int):
        data = self.parse(request)
        return self.respond(services.measure_record_sent(measure=self.measure(request, measure_id),
                                                         actor=request.user, **data))


class MeasureAnswerView(MeasureAction):
    class InputSerializer(serializers.Serializer):
        answered_on = serializers.DateField()
        status = serializers.ChoiceField(choices=ANSWER_CHOICES)
        outcome = serializers.CharField(max_length=1000)

    @extend_schema(summary="Record the foreign state's answer", request=InputSerializer, responses=MeasureSerializer)
    def post(self, request, measure_id: int):
        data = self.parse(request)
        return self.respond(services.measure_record_answer(measure=self.measure(request, measure_id),
                                                           actor=request.user, **data))


class MeasureWithdrawView(MeasureAction):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(summary="Withdraw a request not yet answered", request=InputSerializer,
                   responses=MeasureSerializer)
    def post(self, request, measure_id: int):
        data = self.parse(request)
        return self.respond(services.measure_withdraw(measure=self.measure(request, measure_id), actor=request.user,
                                                      **data))


class RecoveryRecordView(PursuitAction):
    class InputSerializer(serializers.Serializer):
        recovery_id = serializers.CharField(required=False, max_length=64)
        case = serializers.CharField(required=False, help_text="case_id; empty for a recovery without a case")
        recovered_on = serializers.DateField()
        amount = serializers.DecimalField(max_digits=24, decimal_places=4)
        currency = serializers.CharField()
        from_country = serializers.CharField()
        avenue = serializers.ChoiceField(choices=RecoveryAvenue.choices)
        description = serializers.CharField(required=False, default="")

    @extend_schema(summary="Record money or property brought back", request=InputSerializer,
                   responses={201: RecoverySerializer})
    def post(self, request):
        data = self.parse(request)
        case_id = data.pop("case", None)
        case = self.case(request, case_id) if case_id else None
        recovery = services.recovery_record(case=case, actor=request.user, **data)
        return self.respond(recovery, status.HTTP_201_CREATED)

