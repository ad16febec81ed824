"""Custody workflow endpoints: deposit, release, report lost, cancel; the vault; my reminders.

Each POST parses its input, calls one service of `longarm.documents.services`
and renders the event it appended. A document outside the caller's scope
answers 404; a role that does not keep passports 403; a rule refused 400 with
the service's message.
"""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from longarm.api_common import ReadsPeople, WorkflowAPIView
from longarm.api_pagination import Pagination
from longarm.audit.services import audit_record, audit_view
from longarm.documents import services
from longarm.documents.errors import CustodyError, CustodyPermissionError
from longarm.documents.models import CustodyEvent, Document, Reminder
from longarm.documents.vault import CustodyState, custody_history, vault_documents, vault_row
from longarm.travel.models import Trip


class RecordedCustodyEventSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", default=None)

    class Meta:
        model = CustodyEvent
        fields = ["event_id", "document", "action", "occurred_at", "utc_offset", "trip", "note", "recorded_by"]
        read_only_fields = fields


class CustodyWorkflowApi(WorkflowAPIView):
    """Shared by the custody endpoints: the document looked up in the caller's scope, errors as answers."""

    permission_classes = [IsAuthenticated]
    domain_errors = (CustodyError,)
    OutputSerializer = RecordedCustodyEventSerializer

    def handle_exception(self, exc):
        if isinstance(exc, CustodyPermissionError):
            exc = PermissionDenied(str(exc))
        return super().handle_exception(exc)

    def document(self, document_id: str) -> Document:
        return Document.objects.get_visible(self.request.user, pk=document_id)

    def respond(self, event: CustodyEvent) -> Response:
        return Response(RecordedCustodyEventSerializer(event).data, status=status.HTTP_201_CREATED)


class DocumentDepositApi(CustodyWorkflowApi):
    """Take a document into custody: first registration, or its return after a trip."""

    class InputSerializer(serializers.Serializer):
        occurred_at = serializers.DateTimeField(required=False, help_text="default: now; with a UTC offset")
        note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    @extend_schema(request=InputSerializer, responses={201: RecordedCustodyEventSerializer})
    def post(self, request, document_id: str):
        data = self.parse(request)
        return self.respond(services.document_deposit(document=self.document(document_id), actor=request.user,
                                                      occurred_at=data.get("occurred_at"), note=data["note"]))


class DocumentReleaseApi(CustodyWorkflowApi):
    """Release a held document to its holder for one approved, current or upcoming trip."""

    class InputSerializer(serializers.Serializer):
        trip_id = serializers.CharField(max_length=64)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
        occurred_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: RecordedCustodyEventSerializer})
    def post(self, request, document_id: str):
        data = self.parse(request)
        document = self.document(document_id)
        trip = Trip.objects.visible_to(request.user).filter(pk=data["trip_id"]).first()
        if trip is None:
            raise CustodyError(f"No trip {data['trip_id']} in your scope.")
        return self.respond(services.document_release(document=document, trip=trip, actor=request.user,
                                                      reason=data["reason"], occurred_at=data.get("occurred_at")))


class DocumentReportLostApi(CustodyWorkflowApi):
    """Report a document lost (final)."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)
        occurred_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: RecordedCustodyEventSerializer})
    def post(self, request, document_id: str):
        data = self.parse(request)
        return self.respond(services.document_report_lost(document=self.document(document_id), actor=request.user,
                                                          reason=data["reason"], occurred_at=data.get("occurred_at")))


class DocumentCancelApi(CustodyWorkflowApi):
    """Cancel a document for good."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)
        occurred_at = serializers.DateTimeField(required=False)

    @extend_schema(request=InputSerializer, responses={201: RecordedCustodyEventSerializer})
    def post(self, request, document_id: str):
        data = self.parse(request)
        return self.respond(services.document_cancel(document=self.document(document_id), actor=request.user,
                                                     reason=data["reason"], occurred_at=data.get("occurred_at")))


class CustodyHistoryApi(CustodyWorkflowApi):
    """The document's full custody ledger, oldest first, with who recorded each event (audited)."""

    permission_classes = [IsAuthenticated, ReadsPeople]

    @extend_schema(responses={200: RecordedCustodyEventSerializer(many=True)})
    def get(self, request, document_id: str):
        document = self.document(document_id)
        audit_view(actor=request.user, target=document, detail={"custody_history": True})
        return Response(RecordedCustodyEventSerializer(custody_history(document=document), many=True).data)


class VaultApi(CustodyWorkflowApi):
    """Where each document is now: held, released (for which trip, due back when), lost, cancelled."""

    permission_classes = [IsAuthenticated, ReadsPeople]

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=[*CustodyState.values, "none"], required=False)
        overdue = serializers.BooleanField(required=False, default=False,
                                           help_text="only released documents past their due-back day")
        jurisdiction = serializers.CharField(required=False, default="")
        organization = serializers.CharField(required=False, default="")
        official_id = serializers.CharField(required=False, default="")

    class OutputSerializer(serializers.Serializer):
        document_id = serializers.CharField(source="document.document_id")
        official_id = serializers.CharField(source="document.official_id")
        doc_type = serializers.CharField(source="document.doc_type")
        number = serializers.CharField(source="document.number")
        issuing_state = serializers.CharField(source="document.issuing_state")
        expires_on = serializers.DateField(source="document.expires_on")
        state = serializers.CharField(allow_null=True)
        since = serializers.DateTimeField(allow_null=True)
        trip_id = serializers.CharField(allow_null=True)
        due_back_on = serializers.DateField(allow_null=True)
        overdue = serializers.BooleanField()

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer(many=True)})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        today = timezone.localdate()
        documents = vault_documents(user=request.user, state=data.get("state"),
                                    overdue_on=today if data["overdue"] else None,
                                    jurisdiction=data["jurisdiction"], organization=data["organization"],
                                    official_id=data["official_id"])
        paginator = Pagination()
        page = paginator.paginate_queryset(documents, request, view=self)
        audit_record(actor=request.user, action="list", target_type="documents.document",
                     detail={"vault": True, "filters": {key: str(value) for key, value in data.items()},
                             "ids": [document.pk for document in page]})
        rows = [vault_row(document, today=today) for document in page]
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


class MyRemindersApi(CustodyWorkflowApi):
    """The caller's own reminders, unread first."""

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Reminder
            fields = ["id", "kind", "document", "due_on", "message", "created_at", "read_at"]
            read_only_fields = fields

    @extend_schema(parameters=[FilterSerializer], responses={200: OutputSerializer(many=True)})
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reminders = Reminder.objects.filter(user=request.user).order_by("read_at", "due_on", "id")
        if filters.validated_data["unread"]:
            reminders = reminders.filter(read_at__isnull=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(reminders, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ReminderReadApi(CustodyWorkflowApi):
    """Mark one of my reminders read."""

    OutputSerializer = MyRemindersApi.OutputSerializer

    @extend_schema(request=None, responses={200: MyRemindersApi.OutputSerializer})
    def post(self, request, reminder_id: int):
        reminder = Reminder.objects.filter(user=request.user, pk=reminder_id).first()
        if reminder is None:
            return Response({"detail": "No such reminder."}, status=status.HTTP_404_NOT_FOUND)
        reminder = services.reminder_mark_read(reminder=reminder, actor=request.user)
        return Response(self.OutputSerializer(reminder).data)


urlpatterns = [
    path("custody/vault/", VaultApi.as_view(), name="custody-vault"),
    path("custody/documents/<str:document_id>/deposit/", DocumentDepositApi.as_view(), name="custody-deposit"),
    path("custody/documents/<str:document_id>/release/", DocumentReleaseApi.as_view(), name="custody-release"),
    path("custody/documents/<str:document_id>/report-lost/", DocumentReportLostApi.as_view(),
         name="custody-report-lost"),
    path("custody/documents/<str:document_id>/cancel/", DocumentCancelApi.as_view(), name="custody-cancel"),
    path("custody/documents/<str:document_id>/history/", CustodyHistoryApi.as_view(), name="custody-history"),
    path("reminders/", MyRemindersApi.as_view(), name="my-reminders"),
    path("reminders/<int:reminder_id>/read/", ReminderReadApi.as_view(), name="reminder-read"),
]
