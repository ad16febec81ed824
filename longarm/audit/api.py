"""REST API over the audit log, for auditors and administrators."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from longarm.accounts.models import Role
from longarm.api_common import ReadOnlyViewSet, role_permission
from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_entries_visible_to

ReadsAuditLog = role_permission(Role.AUDITOR, Role.ADMINISTRATOR,
                                message="Only auditors and administrators read the audit log.")


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["seq", "at", "actor", "actor_name", "action", "target_type", "target_id", "request_id", "detail",
                  "prev_hash", "hash"]
        read_only_fields = fields


class AuditEntryFilter(django_filters.FilterSet):
    actor_name = django_filters.CharFilter()
    action = django_filters.CharFilter()
    target_type = django_filters.CharFilter()
    target_id = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    at = django_filters.IsoDateTimeFromToRangeFilter(label="between at_after and at_before")

    class Meta:
        model = AuditEntry
        fields = ["actor_name", "action", "target_type", "target_id", "request_id", "at"]


@extend_schema_view(
    list=extend_schema(summary="Audit entries, newest first"),
    retrieve=extend_schema(summary="One audit entry"),
)
class AuditEntryViewSet(ReadOnlyViewSet):
    """The hash-chained audit log: who saw and changed what."""

    queryset = AuditEntry.objects.none()
    permission_classes = [IsAuthenticated, ReadsAuditLog]
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    lookup_field = "seq"
    lookup_value_regex = r"[0-9]+"
    ordering_fields = ["seq", "at"]
    ordering = ["-seq"]

    def get_queryset(self):
        return audit_entries_visible_to(self.request.user)
