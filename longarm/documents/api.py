"""REST API over travel documents and the custody ledger: scoped to the caller, audited, read-only."""

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.documents.models import CustodyAction, CustodyEvent, DocType, Document
from longarm.documents.selectors import CUSTODY_STATE, custody_state_at, local_moment
from longarm.engine.normalize import document_number_key

DOCUMENT_FIELDS = ["document_id", "official", "doc_type", "number", "issuing_state", "issued_on", "expires_on", "mrz"]


class CustodyEventSerializer(serializers.ModelSerializer):
    occurred_at = serializers.SerializerMethodField(help_text="in the UTC offset the record came with")

    class Meta:
        model = CustodyEvent
        fields = ["event_id", "document", "action", "occurred_at", "utc_offset", "trip", "note"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_occurred_at(self, event: CustodyEvent) -> str:
        return local_moment(event.occurred_at, event.utc_offset).isoformat()


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = DOCUMENT_FIELDS
        read_only_fields = fields


class DocumentDetailSerializer(serializers.ModelSerializer):
    custody_events = CustodyEventSerializer(many=True, read_only=True, help_text="the ledger, oldest first")
    custody_state = serializers.SerializerMethodField(
        help_text="the state set by the last custody event up to now; null when there is none")

    class Meta:
        model = Document
        fields = [*DOCUMENT_FIELDS, "custody_events", "custody_state"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=sorted(set(CUSTODY_STATE.values())), allow_null=True))
    def get_custody_state(self, document: Document) -> str | None:
        return custody_state_at(document.custody_events.all(), timezone.now())


class DocumentFilter(django_filters.FilterSet):
    official = django_filters.CharFilter(field_name="official_id")
    doc_type = django_filters.ChoiceFilter(choices=DocType.choices)
    issuing_state = django_filters.CharFilter()
    number = django_filters.CharFilter(method="filter_number", label="document number, compared as the spec says")

    class Meta:
        model = Document
        fields = ["official", "doc_type", "issuing_state", "number"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(number_norm=document_number_key(value))


class CustodyEventFilter(django_filters.FilterSet):
    document = django_filters.CharFilter(field_name="document_id")
    action = django_filters.ChoiceFilter(choices=CustodyAction.choices)
    occurred = django_filters.IsoDateTimeFromToRangeFilter(field_name="occurred_at")

    class Meta:
        model = CustodyEvent
        fields = ["document", "action", "occurred"]


@extend_schema_view(
    list=extend_schema(summary="Documents of officials visible to you (audited)"),
    retrieve=extend_schema(summary="One document with its custody ledger and current custody state (audited)"),
)
class DocumentViewSet(ScopedReadOnlyViewSet):
    """Travel documents of the officials you may see; `number` is compared upper-cased without spaces and `-`."""

    queryset = Document.objects.none()
    serializer_class = DocumentSerializer
    detail_serializer_class = DocumentDetailSerializer
    detail_prefetch_related = (
        Prefetch("custody_events", queryset=CustodyEvent.objects.order_by("occurred_at", "event_id")),
    )
    lookup_field = "document_id"
    filterset_class = DocumentFilter
    ordering_fields = ["official_id", "doc_type", "expires_on", "issued_on", "document_id"]
    ordering = ["official_id", "doc_type", "document_id"]


@extend_schema_view(
    list=extend_schema(summary="Custody events of documents visible to you (audited)"),
    retrieve=extend_schema(summary="One custody event (audited)"),
)
class CustodyEventViewSet(ScopedReadOnlyViewSet):
    """The custody ledger of the documents you may see; each time is given in the offset it came with."""

    queryset = CustodyEvent.objects.none()
    serializer_class = CustodyEventSerializer
    lookup_field = "event_id"
    filterset_class = CustodyEventFilter
    ordering_fields = ["occurred_at", "document_id", "event_id"]
    ordering = ["document_id", "occurred_at", "event_id"]
