"""REST API over watch-list entries (exit controls): scoped to the caller, audited, read-only.

An official never reads watch-list entries, not even about themselves: the
model's scope gives the official role nothing.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.watchlist.models import EntryStatus, Measure, WatchlistEntry


class WatchlistEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = WatchlistEntry
        fields = ["entry_id", "official", "measure", "legal_basis", "authority", "case_ref", "starts_on", "expires_on",
                  "status", "status_reason"]
        read_only_fields = fields


class WatchlistEntryFilter(django_filters.FilterSet):
    official = django_filters.CharFilter(field_name="official_id")
    measure = django_filters.ChoiceFilter(choices=Measure.choices)
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices)
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="entries whose period holds this date")

    class Meta:
        model = WatchlistEntry
        fields = ["official", "measure", "status", "in_force_on"]

    def filter_in_force_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, expires_on__gte=value)


@extend_schema_view(
    list=extend_schema(summary="Watch-list entries on officials visible to you (audited)"),
    retrieve=extend_schema(summary="One watch-list entry (audited)"),
)
class WatchlistEntryViewSet(ScopedReadOnlyViewSet):
    """Exit controls on the officials you may see, each with its legal basis, authority and expiry."""

    queryset = WatchlistEntry.objects.none()
    serializer_class = WatchlistEntrySerializer
    lookup_field = "entry_id"
    filterset_class = WatchlistEntryFilter
    ordering_fields = ["starts_on", "expires_on", "official_id", "entry_id"]
    ordering = ["-starts_on", "entry_id"]
