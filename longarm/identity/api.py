"""REST API over identity resolution: `/api/identity/pairs/`, scoped (either official visible), audited reads."""

import django_filters
from django.db.models import Q
from rest_framework import serializers

from longarm.api_common import ScopedReadOnlyViewSet
from longarm.identity.models import CandidatePair, Decision, PairDecision, PairKind, PairStatus

PAIR_FIELDS = ["pair_id", "kind", "ref", "official_a", "official_b", "crossing", "match_probability", "match_weight",
               "contributions", "status", "decision", "model_version", "run", "scored_run", "created_at",
               "updated_at"]


class PairSerializer(serializers.ModelSerializer):
    pair_id = serializers.IntegerField(source="id", read_only=True)
    model_version = serializers.CharField(source="model.version", read_only=True)

    class Meta:
        model = CandidatePair
        fields = PAIR_FIELDS
        read_only_fields = fields


class PairDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PairDecision
        fields = ["at", "actor_name", "decision", "note"]
        read_only_fields = fields


class PairDetailSerializer(PairSerializer):
    decisions = PairDecisionSerializer(many=True, read_only=True, help_text="the decisions, latest first")

    class Meta(PairSerializer.Meta):
        fields = [*PAIR_FIELDS, "decisions"]
        read_only_fields = fields


class PairFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PairKind.choices)
    status = django_filters.ChoiceFilter(choices=PairStatus.choices)
    decision = django_filters.ChoiceFilter(choices=Decision.choices)
    official = django_filters.CharFilter(method="of_official", help_text="pairs that involve this official_id")
    min_probability = django_filters.NumberFilter(field_name="match_probability", lookup_expr="gte")

    class Meta:
        model = CandidatePair
        fields = ["kind", "status", "decision", "official", "min_probability"]

    def of_official(self, queryset, name, value):
        return queryset.filter(Q(official_a_id=value) | Q(official_b_id=value))


class PairViewSet(ScopedReadOnlyViewSet):
    """Pairs of identity resolution seen by the caller: those where the caller may see either official."""

    queryset = CandidatePair.objects.none()
    serializer_class = PairSerializer
    detail_serializer_class = PairDetailSerializer
    filterset_class = PairFilter
    ordering_fields = ["match_probability", "id"]
    list_select_related = ("model",)
    detail_select_related = ("model",)
    detail_prefetch_related = ("decisions",)
