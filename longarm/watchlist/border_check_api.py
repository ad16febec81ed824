"""`POST /api/border/check`: the border posts' question, answered hit / no hit.

Only border posts ask it, each with its own token; every call is audited,
with the kind of question and the entry hit, never the traveller's data.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.registry.models import Sex
from longarm.watchlist.border_check import (
    BorderCheckError,
    QueryKind,
    Traveller,
    border_check,
    traveller_from_mrz,
)

AUDIT_ACTION = "border_check"


class IsBorderPost(BasePermission):
    message = "Only border posts may ask the border check."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.BORDER_POST)


class BorderCheckApi(APIView):
    """Is this traveller an official under an exit ban or alert in force today?

    Ask with `document_number` + `issuing_state`, or with `mrz`, or with
    `family_name` + `given_name` + `date_of_birth` + `sex`. The answer holds
    `hit`, the `measure` and a `reference` to quote when calling the agency.
    """

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsBorderPost]

    class InputSerializer(serializers.Serializer):
        document_number = serializers.CharField(required=False, max_length=64)
        issuing_state = serializers.RegexField(r"^[A-Z]{3}$", required=False,
                                               error_messages={"invalid": "an ISO 3166-1 alpha-3 code"})
        mrz = serializers.CharField(required=False, max_length=120)
        family_name = serializers.CharField(required=False, max_length=200)
        given_name = serializers.CharField(required=False, max_length=200, allow_blank=True)
        date_of_birth = serializers.DateField(required=False)
        sex = serializers.ChoiceField(choices=Sex.values, required=False)

        IDENTITY_FIELDS = ("family_name", "date_of_birth", "sex")

        def validate(self, data):
            by_document = "document_number" in data or "issuing_state" in data
            by_identity = any(name in data for name in (*self.IDENTITY_FIELDS, "given_name"))
            if sum((by_document, "mrz" in data, by_identity)) != 1:
                raise serializers.ValidationError(
                    "Ask with a document number and issuing state, or an MRZ, or a name, date of birth and sex.")
            if by_document:
                missing = [name for name in ("document_number", "issuing_state") if name not in data]
                if missing:
                    raise serializers.ValidationError({name: "This field is required." for name in missing})
                return Traveller(kind=QueryKind.DOCUMENT, document_number=data["document_number"],
                                 issuing_state=data["issuing_state"])
            if "mrz" in data:
                try:
                    return traveller_from_mrz(data["mrz"])
                except BorderCheckError as error:
                    raise serializers.ValidationError({"mrz": str(error)}) from None
            missing = [name for name in self.IDENTITY_FIELDS if name not in data]
            if missing:
                raise serializers.ValidationError({name: "This field is required." for name in missing})
            return Traveller(kind=QueryKind.IDENTITY, family_name=data["family_name"],
                             given_name=data.get("given_name", ""), date_of_birth=data["date_of_birth"],
                             sex=data["sex"])

    class OutputSerializer(serializers.Serializer):
        hit = serializers.BooleanField()
        measure = serializers.CharField(allow_null=True)
        reference = serializers.CharField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer, operation_id="border_check")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        traveller: Traveller = serializer.validated_data
        answer = border_check(traveller=traveller, today=timezone.localdate())
        detail = {"query": traveller.kind.value, "hit": answer.hit, "entry_id": answer.reference}
        if traveller.mrz_problems:
            detail["mrz_problems"] = traveller.mrz_problems
        audit_record(actor=request.user, action=AUDIT_ACTION, detail=detail,
                     target_type="watchlist.watchlistentry" if answer.hit else "",
                     target_id=answer.reference or "")
        return Response(self.OutputSerializer(answer).data)

    def handle_exception(self, exc):
        """Refused calls of an authenticated client are audited too (a token used by the wrong role,
        a malformed question); calls without valid credentials never reach an actor to record."""
        response = super().handle_exception(exc)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            audit_record(actor=user, action=AUDIT_ACTION,
                         detail={"query": None, "hit": None, "refused": response.status_code})
        return response
