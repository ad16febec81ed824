"""Shared pieces of the REST API: scoped, audited read-only viewsets and the base of workflow views.

Every endpoint about people starts from `Model.objects.visible_to(user)`, so a
record of another jurisdiction answers 404 exactly like a missing one. Every
read of a person's record is audited: a detail read with `audit_view`, a list
with one `list` row per request naming the filters and the ids on the page.
"""

from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import exceptions, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.models import PERSON_READING_ROLES, Role
from longarm.audit.services import audit_record, audit_view

# Token first: an anonymous client is told 401 with `WWW-Authenticate: Token`,
# which says how to authenticate, instead of a bare 403.
AUTHENTICATION_CLASSES = [TokenAuthentication, SessionAuthentication]
# Identifiers are chosen by the sending systems and may hold dots.
ID_IN_PATH = r"[^/]+"


def user_has_role(user, roles) -> bool:
    return bool(user and user.is_authenticated and (user.role in roles or user.is_superuser))


class ReadsPeople(BasePermission):
    """Only roles that read people's records reach people endpoints (not auditors, not border posts)."""

    message = "Your role does not read people's records."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, PERSON_READING_ROLES)


def role_permission(*roles: Role, message: str) -> type[BasePermission]:
    """A permission class that admits the given roles (and superusers)."""

    class HasRole(BasePermission):
        def has_permission(self, request, view) -> bool:
            return user_has_role(request.user, roles)

    HasRole.message = message
    return HasRole


class StableOrderingFilter(OrderingFilter):
    """Ordering on the client's fields, then on the primary key, so pages never overlap or skip rows."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        pk_name = queryset.model._meta.pk.name
        if not any(field.lstrip("-") in ("pk", pk_name) for field in ordering):
            ordering.append(pk_name)
        return ordering


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Paginated, filtered and ordered reads; subclasses say which rows with `get_queryset`."""

    authentication_classes = AUTHENTICATION_CLASSES
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    lookup_value_regex = ID_IN_PATH
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()


def _filters_of(request) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in request.query_params.lists()}


class ScopedReadOnlyViewSet(ReadOnlyViewSet):
    """Reads of people: scoped to the caller by `visible_to`, and audited.

    Subclasses set `queryset = Model.objects.none()` (it names the model), and
    may list `list_select_related`, `detail_select_related` and
    `detail_prefetch_related` so that no row costs a query of its own.
    """

    permission_classes = [IsAuthenticated, ReadsPeople]
    list_select_related: tuple[str, ...] = ()
    detail_select_related: tuple[str, ...] = ()
    detail_prefetch_related: tuple = ()

    @property
    def model(self) -> type[models.Model]:
        return self.queryset.model

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            if self.detail_select_related:
                queryset = queryset.select_related(*self.detail_select_related)
            if self.detail_prefetch_related:
                queryset = queryset.prefetch_related(*self.detail_prefetch_related)
        elif self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit_view(actor=request.user, target=instance)
        return Response(self.get_serializer(instance).data)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        audit_record(actor=request.user, action="list", target_type=self.model._meta.label_lower,
                     detail={"filters": _filters_of(request), "ids": [str(row.pk) for row in page]})
        return self.get_paginated_response(data)


class AutoSchema(SpectacularAutoSchema):
    """Names a nested serializer after the view it is nested in.

    Workflow views all nest an `InputSerializer` and an `OutputSerializer`
    (STYLE.md rule 5); without this, every one of them would claim the schema
    components "Input" and "Output". `TripApproveApi.InputSerializer` becomes
    "TripApproveInput". An explicit `component_name` still wins.
    """

    def get_serializer_name(self, serializer, direction) -> str:
        enclosing, _, name = type(serializer).__qualname__.rpartition(".")
        enclosing = enclosing.rpartition(".")[2]
        if not enclosing or enclosing == "<locals>":
            return super().get_serializer_name(serializer, direction)
        for suffix in ("APIView", "Api", "API", "View", "ViewSet"):
            if enclosing.endswith(suffix) and enclosing != suffix:
                enclosing = enclosing[: -len(suffix)]
                break
        return enclosing + name


class DomainRefusal(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


class WorkflowAPIView(APIView):
    """Base of endpoints that change state (STYLE.md rule 5).

    A subclass nests an `InputSerializer` and an `OutputSerializer`, parses the
    request with the first, calls one service and renders its result with the
    second. The service's domain errors, listed in `domain_errors`, answer 400
    with the service's own message.
    """

    authentication_classes = AUTHENTICATION_CLASSES
    domain_errors: tuple[type[Exception], ...] = ()

    def parse(self, request) -> dict:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def handle_exception(self, exc):
        if self.domain_errors and isinstance(exc, self.domain_errors):
            exc = DomainRefusal(getattr(exc, "message", None) or str(exc))
        return super().handle_exception(exc)
