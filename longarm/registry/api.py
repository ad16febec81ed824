"""REST API over officials and relatives: scoped to the caller, audited, read-only."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.documents.models import Document
from longarm.registry.models import Official, OfficialStatus, Rank, Relation, Relative
from longarm.registry.search import officials_search
from longarm.travel.models import Trip

OFFICIAL_FIELDS = ["official_id", "family_name", "given_name", "native_name", "sex", "date_of_birth", "national_id",
                   "organization", "position", "rank", "jurisdiction", "status", "sensitive_post"]


class RelativeSerializer(serializers.ModelSerializer):
    nationalities = serializers.ListField(child=serializers.CharField(), source="nationality_list", read_only=True)
    emigrated = serializers.BooleanField(read_only=True, help_text="the spec's emigration rule, against home_country")

    class Meta:
        model = Relative
        fields = ["relative_id", "official", "relation", "family_name", "given_name", "native_name", "date_of_birth",
                  "residence_country", "residence_status", "nationalities", "since", "employer", "emigrated"]
        read_only_fields = fields


class OfficialDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["document_id", "doc_type", "number", "issuing_state", "issued_on", "expires_on"]
        read_only_fields = fields


class OfficialTripSerializer(serializers.ModelSerializer):
    destinations = serializers.ListField(child=serializers.CharField(), source="destination_list", read_only=True)

    class Meta:
        model = Trip
        fields = ["trip_id", "document", "purpose", "destinations", "depart_on", "return_on", "status", "decided_on"]
        read_only_fields = fields


class OfficialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Official
        fields = OFFICIAL_FIELDS
        read_only_fields = fields


class OfficialDetailSerializer(serializers.ModelSerializer):
    relatives = RelativeSerializer(many=True, read_only=True)
    documents = OfficialDocumentSerializer(many=True, read_only=True)
    trips = OfficialTripSerializer(many=True, read_only=True)

    class Meta:
        model = Official
        fields = [*OFFICIAL_FIELDS, "relatives", "documents", "trips"]
        read_only_fields = fields


class OfficialFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="name (either order, prefix), native name, official or national id")
    jurisdiction = django_filters.CharFilter()
    rank = django_filters.ChoiceFilter(choices=Rank.choices)
    status = django_filters.ChoiceFilter(choices=OfficialStatus.choices)
    sensitive_post = django_filters.BooleanFilter()
    organization = django_filters.CharFilter()

    class Meta:
        model = Official
        fields = ["q", "jurisdiction", "rank", "status", "sensitive_post", "organization"]

    def search(self, queryset, name, value):
        return officials_search(queryset, value)


class RelativeFilter(django_filters.FilterSet):
    official = django_filters.CharFilter(field_name="official_id")
    relation = django_filters.ChoiceFilter(choices=Relation.choices)
    residence_country = django_filters.CharFilter()

    class Meta:
        model = Relative
        fields = ["official", "relation", "residence_country"]


@extend_schema_view(
    list=extend_schema(summary="Officials visible to you (audited)"),
    retrieve=extend_schema(summary="One official with relatives, documents and trips (audited)"),
)
class OfficialViewSet(ScopedReadOnlyViewSet):
    """Officials in your jurisdiction (or unit, or yourself). Another jurisdiction's official answers 404."""

    queryset = Official.objects.none()
    serializer_class = OfficialSerializer
    detail_serializer_class = OfficialDetailSerializer
    detail_prefetch_related = ("relatives", "documents", "trips")
    lookup_field = "official_id"
    filterset_class = OfficialFilter
    ordering_fields = ["family_name", "given_name", "date_of_birth", "jurisdiction", "organization", "official_id"]
    ordering = ["family_name", "given_name", "official_id"]


@extend_schema_view(
    list=extend_schema(summary="Relatives of officials visible to you (audited)"),
    retrieve=extend_schema(summary="One relative (audited)"),
)
class RelativeViewSet(ScopedReadOnlyViewSet):
    """Declared relatives of the officials you may see, each with the spec's `emigrated` rule applied."""

    queryset = Relative.objects.none()
    serializer_class = RelativeSerializer
    lookup_field = "relative_id"
    filterset_class = RelativeFilter
    ordering_fields = ["official_id", "relation", "family_name", "relative_id"]
    ordering = ["official_id", "relation", "relative_id"]
