"""Workflow endpoints of exit controls: propose, confirm, extend, withdraw, and the review list.

Thin over `longarm.watchlist.services` and `selectors`: an entry or official
the caller may not see is a 404, a role that may not make the change a 403,
a rule broken a 400 with the rule's message.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.api_pagination import Pagination
from longarm.audit.services import audit_record, audit_view
from longarm.registry.models import Official
from longarm.watchlist import selectors, services
from longarm.watchlist.errors import WatchlistError, WatchlistPermissionDenied
from longarm.watchlist.models import Measure, WatchlistEntry


class IsAnalyst(BasePermission):
    message = "Only a provincial or central analyst keeps the watch list."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role in services.ANALYST_ROLES)


class EntryOutputSerializer(serializers.Serializer):
    entry_id = serializers.CharField()
    official_id = serializers.CharField()
    measure = serializers.CharField()
    legal_basis = serializers.CharField()
    authority = serializers.CharField()
    case_ref = serializers.CharField()
    starts_on = serializers.DateField()
    expires_on = serializers.DateField()
    status = serializers.CharField()
    state = serializers.SerializerMethodField()
    status_reason = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by.username", allow_null=True, default=None)
    proposed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = serializers.CharField(source="confirmed_by.username", allow_null=True, default=None)
    confirmed_at = serializers.DateTimeField(allow_null=True)

    def get_state(self, entry) -> str:
        return str(selectors.watchlist_entry_state(entry))


class EntryEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    reason = serializers.CharField()
    previous_expires_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class WatchlistWorkflowApi(APIView):
    """Shared by the endpoints below: analysts only, domain errors as HTTP answers."""

    permission_classes = [IsAuthenticated, IsAnalyst]

    def handle_exception(self, exc):
        if isinstance(exc, WatchlistPermissionDenied):
            exc = PermissionDenied(exc.message)
        elif isinstance(exc, WatchlistError):
            exc = ValidationError({"detail": exc.message})
        return super().handle_exception(exc)

    def entry(self, entry_id: str) -> WatchlistEntry:
        return WatchlistEntry.objects.get_visible(self.request.user, pk=entry_id)

    def respond(self, entry: WatchlistEntry, code=status.HTTP_200_OK) -> Response:
        return Response(EntryOutputSerializer(entry).data, status=code)

    def list_response(self, queryset) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        if page:
            audit_record(actor=self.request.user, action="view", target_type="watchlist.watchlistentry",
                         target_id="list", detail={"entry_ids": [entry.pk for entry in page]})
        return paginator.get_paginated_response(EntryOutputSerializer(page, many=True).data)


class WatchlistProposalsApi(WatchlistWorkflowApi):
    """GET: proposals awaiting the caller's confirmation. POST: propose an exit control."""

    class InputSerializer(serializers.Serializer):
        official_id = serializers.CharField()
        measure = serializers.ChoiceField(choices=Measure.choices)
        legal_basis = serializers.CharField(max_length=500)
        authority = serializers.CharField(max_length=300)
        case_ref = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        starts_on = serializers.DateField()
        expires_on = serializers.DateField()

    @extend_schema(responses={200: EntryOutputSerializer(many=True)})
    def get(self, request):
        return self.list_response(selectors.watchlist_awaiting_confirmation(user=request.user))

    @extend_schema(request=InputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        official = Official.objects.get_visible(request.user, pk=values.pop("official_id"))
        entry = services.watchlist_propose(official=official, actor=request.user, **values)
        return self.respond(entry, status.HTTP_201_CREATED)


class WatchlistConfirmApi(WatchlistWorkflowApi):
    """A second analyst confirms a proposed entry, which then takes effect."""

    @extend_schema(request=None, responses={200: EntryOutputSerializer})
    def post(self, request, entry_id: str):
        return self.respond(services.watchlist_confirm(entry=self.entry(entry_id), actor=request.user))


class WatchlistExtendApi(WatchlistWorkflowApi):
    """Move the expiry of an entry in force to a later date, with a reason."""

    class InputSerializer(serializers.Serializer):
        new_expires_on = serializers.DateField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses={200: EntryOutputSerializer})
    def post(self, request, entry_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.watchlist_extend(entry=self.entry(entry_id), actor=request.user, **data.validated_data)
        return self.respond(entry)


class WatchlistWithdrawApi(WatchlistWorkflowApi):
    """Withdraw an entry with a reason; it and its history stay on record."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={200: EntryOutputSerializer})
    def post(self, request, entry_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.watchlist_withdraw(entry=self.entry(entry_id), actor=request.user, **data.validated_data)
        return self.respond(entry)


class WatchlistDueForReviewApi(WatchlistWorkflowApi):
    """Entries in force that expire within `days` (default: the review setting), soonest first."""

    class QuerySerializer(serializers.Serializer):
        days = serializers.IntegerField(required=False, min_value=0, max_value=366)

    @extend_schema(parameters=[QuerySerializer], responses={200: EntryOutputSerializer(many=True)})
    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return self.list_response(
            selectors.watchlist_due_for_review(user=request.user, days=query.validated_data.get("days")))


class WatchlistHistoryApi(WatchlistWorkflowApi):
    """An entry with everything that happened to it."""

    class OutputSerializer(serializers.Serializer):
        entry = EntryOutputSerializer()
        events = EntryEventSerializer(many=True)

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request, entry_id: str):
        entry = self.entry(entry_id)
        audit_view(actor=request.user, target=entry)
        events = selectors.watchlist_entry_history(entry=entry, user=request.user)
        return Response(self.OutputSerializer({"entry": entry, "events": events}).data)


urlpatterns = [
    path("watchlist/proposals/", WatchlistProposalsApi.as_view(), name="watchlist-proposals"),
    path("watchlist/due-for-review/", WatchlistDueForReviewApi.as_view(), name="watchlist-due-for-review"),
    path("watchlist/<str:entry_id>/confirm/", WatchlistConfirmApi.as_view(), name="watchlist-confirm"),
    path("watchlist/<str:entry_id>/extend/", WatchlistExtendApi.as_view(), name="watchlist-extend"),
    path("watchlist/<str:entry_id>/withdraw/", WatchlistWithdrawApi.as_view(), name="watchlist-withdraw"),
    path("watchlist/<str:entry_id>/history/", WatchlistHistoryApi.as_view(), name="watchlist-history"),
]
