"""REST API over border crossings: seen by the official's jurisdiction and the port's; audited, read-only."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.border.models import Crossing, Direction
from longarm.documents.selectors import local_moment


class CrossingSerializer(serializers.ModelSerializer):
    occurred_at = serializers.SerializerMethodField(help_text="in the UTC offset the record came with")

    class Meta:
        model = Crossing
        fields = ["event_id", "direction", "occurred_at", "utc_offset", "local_date", "port", "port_jurisdiction",
                  "doc_type", "doc_number", "issuing_state", "family_name", "given_name", "date_of_birth", "sex",
                  "nationality", "counterpart_country", "official"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_occurred_at(self, crossing: Crossing) -> str:
        return local_moment(crossing.occurred_at, crossing.utc_offset).isoformat()


class CrossingFilter(django_filters.FilterSet):
    official = django_filters.CharFilter(field_name="official_id")
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    local_date = django_filters.DateFromToRangeFilter(label="local date between local_date_after and local_date_before")
    port = django_filters.CharFilter()
    port_jurisdiction = django_filters.CharFilter()

    class Meta:
        model = Crossing
        fields = ["official", "direction", "local_date", "port", "port_jurisdiction"]


@extend_schema_view(
    list=extend_schema(summary="Crossings of your officials or at your ports (audited)"),
    retrieve=extend_schema(summary="One crossing (audited)"),
)
class CrossingViewSet(ScopedReadOnlyViewSet):
    """Border crossings seen by the official's jurisdiction and by the jurisdiction of the port."""

    queryset = Crossing.objects.none()
    serializer_class = CrossingSerializer
    lookup_field = "event_id"
    filterset_class = CrossingFilter
    ordering_fields = ["occurred_at", "local_date", "port", "event_id"]
    ordering = ["-occurred_at", "event_id"]
