"""REST API of the treaty network: the register, the avenues to a country, the summary. Reference data:
every staff role that works cases or statistics reads it; nothing here is about a person."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.models import Role
from longarm.api_common import AUTHENTICATION_CLASSES, ReadOnlyViewSet, role_permission
from longarm.geo import country_codes
from longarm.treaties.models import Treaty
from longarm.treaties.selectors import avenues_for, network_summary

ReadsTreaties = role_permission(Role.PURSUIT_OFFICER, Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST,
                                Role.ADMINISTRATOR, message="Your role does not read the treaty network.")


class TreatySerializer(serializers.ModelSerializer):
    class Meta:
        model = Treaty
        fields = ["country", "kind", "status", "signed_on", "in_force_on"]
        read_only_fields = fields


class TreatyViewSet(ReadOnlyViewSet):
    queryset = Treaty.objects.all()
    serializer_class = TreatySerializer
    permission_classes = [IsAuthenticated, ReadsTreaties]
    filterset_fields = ["country", "kind", "status"]
    ordering_fields = ["country", "kind"]
    ordering = ["country", "kind"]


class TreatyView(APIView):
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated, ReadsTreaties]


class AvenuesView(TreatyView):
    @extend_schema(summary="The legal avenues that agreements with a country open (or plainly none)",
                   responses={200: dict})
    def get(self, request, country: str):
        country = country.upper()
        if country not in country_codes():
            return Response({"detail": f"{country} is not an ISO 3166-1 alpha-3 country code."}, status=400)
        avenues = avenues_for(country)
        return Response({"country": avenues.country, "country_name": avenues.country_name, "none": avenues.none,
                         "opened": [{"kind": a.kind, "label": a.label, "in_force_on": a.in_force_on}
                                    for a in avenues.opened],
                         "signed_only": list(avenues.signed_only), "message": avenues.message})


class SummaryView(TreatyView):
    @extend_schema(summary="The treaty network in one sentence", responses={200: dict})
    def get(self, request):
        summary = network_summary()
        return Response({"agreements": summary.agreements, "countries": summary.countries,
                         "financial_intelligence_countries": summary.financial_intelligence_countries,
                         "by_kind": summary.by_kind, "text": summary.text})
