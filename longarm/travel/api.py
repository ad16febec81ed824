"""REST API over trips (travel requests and their decisions): scoped to the caller, audited, read-only."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.travel.models import Purpose, Trip, TripStatus


class TripSerializer(serializers.ModelSerializer):
    destinations = serializers.ListField(child=serializers.CharField(), source="destination_list", read_only=True)

    class Meta:
        model = Trip
        fields = ["trip_id", "official", "document", "purpose", "destinations", "depart_on", "return_on", "status",
                  "decided_on"]
        read_only_fields = fields


class TripFilter(django_filters.FilterSet):
    official = django_filters.CharFilter(field_name="official_id")
    status = django_filters.ChoiceFilter(choices=TripStatus.choices)
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices)
    depart_on = django_filters.DateFromToRangeFilter(label="departure between depart_on_after and depart_on_before")
    return_on = django_filters.DateFromToRangeFilter(label="return between return_on_after and return_on_before")

    class Meta:
        model = Trip
        fields = ["official", "status", "purpose", "depart_on", "return_on"]


@extend_schema_view(
    list=extend_schema(summary="Trips of officials visible to you (audited)"),
    retrieve=extend_schema(summary="One trip (audited)"),
)
class TripViewSet(ScopedReadOnlyViewSet):
    """Travel requests of the officials you may see; only an approved trip authorises an exit."""

    queryset = Trip.objects.none()
    serializer_class = TripSerializer
    lookup_field = "trip_id"
    filterset_class = TripFilter
    ordering_fields = ["depart_on", "return_on", "decided_on", "status", "trip_id"]
    ordering = ["-depart_on", "trip_id"]
