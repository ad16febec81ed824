"""REST API over alerts: `/api/alerts/`, scoped to the caller (home and notified provinces), audited reads."""

import django_filters
from rest_framework import serializers

from longarm.alerts.models import Alert, AlertCode, AlertEvent, AlertStatus, Severity
from longarm.api_common import ScopedReadOnlyViewSet

ALERT_FIELDS = ["alert_id", "code", "official", "ref", "status", "severity", "jurisdiction", "reported_to",
                "raised_on", "detail", "evidence", "assigned_to", "run", "created_at", "withdrawn_reason",
                "withdrawn_at"]


class AlertSerializer(serializers.ModelSerializer):
    alert_id = serializers.IntegerField(source="id", read_only=True)
    reported_to = serializers.SerializerMethodField(help_text="other jurisdictions notified")
    assigned_to = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Alert
        fields = ALERT_FIELDS
        read_only_fields = fields

    def get_reported_to(self, alert: Alert) -> list[str]:
        return [code for code in alert.reported_to.split(";") if code]


class AlertEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AlertEvent
        fields = ["at", "actor_name", "run", "action", "from_status", "to_status", "note"]
        read_only_fields = fields


class AlertDetailSerializer(AlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True, help_text="the alert's history, oldest first")

    class Meta(AlertSerializer.Meta):
        fields = [*ALERT_FIELDS, "events"]
        read_only_fields = fields


class AlertFilter(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(choices=AlertCode.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    jurisdiction = django_filters.CharFilter(help_text="the responsible jurisdiction (the official's)")
    official = django_filters.CharFilter(field_name="official_id")
    raised_on = django_filters.DateFromToRangeFilter(help_text="raised_on_after / raised_on_before, inclusive")

    class Meta:
        model = Alert
        fields = ["code", "severity", "status", "jurisdiction", "official", "raised_on"]


class AlertViewSet(ScopedReadOnlyViewSet):
    """Alerts seen by the caller: of their province's officials, or raised at their province's ports."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    detail_serializer_class = AlertDetailSerializer
    filterset_class = AlertFilter
    ordering_fields = ["raised_on", "severity", "code", "id"]
    list_select_related = ("assigned_to",)
    detail_select_related = ("assigned_to",)
    detail_prefetch_related = ("events",)
