"""Workflow endpoints of travel requests: request, decide, cancel, report the return, the approver's queue.

Thin over `longarm.travel.services` and `selectors`: a record the caller may
not see is a 404, a role that may not take the step a 403, a rule broken a
400 with the rule's message.
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.models import Role
from longarm.api_pagination import Pagination
from longarm.audit.services import audit_record, audit_view
from longarm.documents.models import Document
from longarm.registry.models import Official
from longarm.travel import selectors, services
from longarm.travel.errors import TravelError, TravelPermissionDenied
from longarm.travel.models import Purpose, Trip


class IsOfficial(BasePermission):
    message = "Only an official with a registry record uses this endpoint."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.OFFICIAL and user.official_id)


class IsPersonnelOfficer(BasePermission):
    message = "Only a personnel officer decides travel requests."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.PERSONNEL_OFFICER)


class TripOutputSerializer(serializers.Serializer):
    trip_id = serializers.CharField()
    official_id = serializers.CharField()
    document_id = serializers.CharField(allow_null=True)
    purpose = serializers.CharField()
    destinations = serializers.ListField(child=serializers.CharField(), source="destination_list")
    companions = serializers.ListField(child=serializers.CharField(), source="companion_list")
    depart_on = serializers.DateField()
    return_on = serializers.DateField()
    status = serializers.CharField()
    progress = serializers.SerializerMethodField()
    status_reason = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)
    returned_on = serializers.DateField(allow_null=True)
    return_note = serializers.CharField()
    reported_back_at = serializers.DateTimeField(allow_null=True)

    def get_progress(self, trip) -> str:
        return selectors.trip_progress(trip)


class PrecheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField(help_text="block (the request cannot be approved), warn or ok")
    message = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    decision = serializers.CharField()
    decider = serializers.CharField(source="decider_name")
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class TripEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    note = serializers.CharField()


class TripWorkflowApi(APIView):
    """Shared by the endpoints below: the domain errors as HTTP answers."""

    def handle_exception(self, exc):
        if isinstance(exc, TravelPermissionDenied):
            exc = PermissionDenied(exc.message)
        elif isinstance(exc, TravelError):
            exc = ValidationError({"detail": exc.message})
        return super().handle_exception(exc)

    def trip(self, trip_id: str) -> Trip:
        return Trip.objects.get_visible(self.request.user, pk=trip_id)

    def respond(self, trip: Trip, code=status.HTTP_200_OK) -> Response:
        return Response(TripOutputSerializer(trip).data, status=code)


class TripRequestApi(TripWorkflowApi):
    """An official requests travel abroad for themself."""

    permission_classes = [IsAuthenticated, IsOfficial]

    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=Purpose.choices)
        destinations = serializers.ListField(child=serializers.CharField(max_length=3), allow_empty=False)
        depart_on = serializers.DateField()
        return_on = serializers.DateField()
        companions = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)
        document_id = serializers.CharField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={201: TripOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        document_id = values.pop("document_id")
        document = None
        if document_id:
            document = Document.objects.visible_to(request.user).filter(pk=document_id).first()
            if document is None:
                raise ValidationError({"document_id": "Not one of your registered documents."})
        official = get_object_or_404(Official.objects.visible_to(request.user), pk=request.user.official_id)
        trip = services.trip_request(official=official, document=document, actor=request.user, **values)
        return self.respond(trip, status.HTTP_201_CREATED)


class TripApproveApi(TripWorkflowApi):
    """Approve the step of a request that the caller decides (refused under an exit ban)."""

    permission_classes = [IsAuthenticated, IsPersonnelOfficer]

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    @extend_schema(request=InputSerializer, responses={200: TripOutputSerializer})
    def post(self, request, trip_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.trip_approve(trip=self.trip(trip_id), actor=request.user, **data.validated_data)
        return self.respond(trip)


class TripRejectApi(TripWorkflowApi):
    """Reject a request, with a reason."""

    permission_classes = [IsAuthenticated, IsPersonnelOfficer]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses={200: TripOutputSerializer})
    def post(self, request, trip_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.trip_reject(trip=self.trip(trip_id), actor=request.user, **data.validated_data)
        return self.respond(trip)


class TripCancelApi(TripWorkflowApi):
    """The official cancels their own pending request, or an approved trip before departure."""

    permission_classes = [IsAuthenticated, IsOfficial]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={200: TripOutputSerializer})
    def post(self, request, trip_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.trip_cancel(trip=self.trip(trip_id), actor=request.user, **data.validated_data)
        return self.respond(trip)


class TripReportReturnApi(TripWorkflowApi):
    """The official reports the day they came back from an approved trip."""

    permission_classes = [IsAuthenticated, IsOfficial]

    class InputSerializer(serializers.Serializer):
        returned_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    @extend_schema(request=InputSerializer, responses={200: TripOutputSerializer})
    def post(self, request, trip_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.trip_report_return(trip=self.trip(trip_id), actor=request.user, **data.validated_data)
        return self.respond(trip)


class TripHistoryApi(TripWorkflowApi):
    """A request's status, decisions and history, for its official and its approvers."""

    class OutputSerializer(serializers.Serializer):
        trip = TripOutputSerializer()
        decisions = DecisionSerializer(many=True)
        events = TripEventSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request, trip_id: str):
        trip = self.trip(trip_id)
        audit_view(actor=request.user, target=trip)
        return Response({
            "trip": TripOutputSerializer(trip).data,
            "decisions": DecisionSerializer(selectors.trip_decisions(trip=trip, user=request.user), many=True).data,
            "events": TripEventSerializer(selectors.trip_history(trip=trip, user=request.user), many=True).data,
        })


class TripPendingApi(TripWorkflowApi):
    """The personnel officer's queue: requests they may decide now, each with its pre-checks."""

    permission_classes = [IsAuthenticated, IsPersonnelOfficer]

    class OutputSerializer(serializers.Serializer):
        trip = TripOutputSerializer()
        official_name = serializers.CharField(source="trip.official.full_name")
        official_rank = serializers.CharField(source="trip.official.rank")
        step = serializers.IntegerField()
        approvals_required = serializers.IntegerField()
        blocked = serializers.BooleanField()
        warnings = serializers.IntegerField()
        decisions = DecisionSerializer(many=True)
        prechecks = PrecheckSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.trip_pending_queryset(user=request.user), request, view=self)
        items = selectors.trip_pending_requests(trips=page)
        if items:
            audit_record(actor=request.user, action="view", target_type="travel.trip", target_id="pending",
                         detail={"trip_ids": [item.trip.pk for item in items]})
        return paginator.get_paginated_response(self.OutputSerializer(items, many=True).data)


urlpatterns = [
    path("trips/requests/", TripRequestApi.as_view(), name="trip-request"),
    path("trips/pending/", TripPendingApi.as_view(), name="trip-pending"),
    path("trips/<str:trip_id>/approve/", TripApproveApi.as_view(), name="trip-approve"),
    path("trips/<str:trip_id>/reject/", TripRejectApi.as_view(), name="trip-reject"),
    path("trips/<str:trip_id>/cancel/", TripCancelApi.as_view(), name="trip-cancel"),
    path("trips/<str:trip_id>/report-return/", TripReportReturnApi.as_view(), name="trip-report-return"),
    path("trips/<str:trip_id>/history/", TripHistoryApi.as_view(), name="trip-history"),
]
