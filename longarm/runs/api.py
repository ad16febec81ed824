"""REST API over batch runs: who ran what, when, with which parameters and counts. Staff only."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated

from longarm.accounts.models import Role
from longarm.api_common import ReadOnlyViewSet, role_permission
from longarm.runs.models import Run, RunKind, RunStatus

ReadsRuns = role_permission(Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST, Role.ADMINISTRATOR, Role.AUDITOR,
                            message="Only analysts, administrators and auditors read batch runs.")
RUN_FIELDS = ["id", "kind", "status", "actor_name", "started_at", "finished_at", "duration_seconds", "parameters",
              "counts", "error"]


class RunSerializer(serializers.ModelSerializer):
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = RUN_FIELDS
        read_only_fields = fields


class RunDetailSerializer(RunSerializer):
    class Meta(RunSerializer.Meta):
        fields = [*RUN_FIELDS, "log"]
        read_only_fields = fields


class RunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RunKind.choices)
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    started_at = django_filters.IsoDateTimeFromToRangeFilter()

    class Meta:
        model = Run
        fields = ["kind", "status", "started_at"]


@extend_schema_view(
    list=extend_schema(summary="Batch runs, newest first"),
    retrieve=extend_schema(summary="One batch run with its log"),
)
class RunViewSet(ReadOnlyViewSet):
    """Batch runs (imports, reconciliations …) with parameters and counts; the log is in the detail."""

    queryset = Run.objects.all()
    permission_classes = [IsAuthenticated, ReadsRuns]
    serializer_class = RunSerializer
    detail_serializer_class = RunDetailSerializer
    filterset_class = RunFilter
    ordering_fields = ["started_at", "finished_at", "id"]
    ordering = ["-started_at", "-id"]

    def get_queryset(self):
        # The log can be long: lists leave it in the database.
        queryset = Run.objects.all()
        return queryset if self.action == "retrieve" else queryset.defer("log")
