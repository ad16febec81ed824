"""REST API of accounts: exchange a username and password for a token; who am I."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from longarm.accounts.errors import AccountError
from longarm.accounts.models import User
from longarm.accounts.services import token_issue
from longarm.api_common import AUTHENTICATION_CLASSES, DomainRefusal, WorkflowAPIView
from longarm.audit.services import audit_record

REFUSED = "Unable to log in with the username and password given."


class TokenIssueApi(WorkflowAPIView):
    """Issue a new API token in exchange for a username and password; the previous token stops working.

    Both outcomes are audited; a refusal does not say whether the user exists.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    domain_errors = (AccountError,)

    @extend_schema_serializer(component_name="TokenRequest")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    @extend_schema_serializer(component_name="Token")
    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField(help_text='send it as "Authorization: Token <token>"')

    @extend_schema(operation_id="auth_token_issue", summary="Exchange username and password for an API token",
                   request=InputSerializer,
                   responses={200: OutputSerializer, 400: OpenApiResponse(description=REFUSED)})
    def post(self, request):
        data = self.parse(request)
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            audit_record(actor=None, action="token.refused", target_type=User._meta.label_lower,
                         detail={"username": data["username"][:150]})
            raise DomainRefusal(REFUSED)
        token = token_issue(user=user, actor=user)
        return Response(self.OutputSerializer({"token": token.key}).data, status=status.HTTP_200_OK)


class MeApi(APIView):
    """Who the caller is, and the role and jurisdiction that decide what they see."""

    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.ModelSerializer):
        is_national = serializers.BooleanField(read_only=True, help_text="sees every jurisdiction")

        class Meta:
            model = User
            fields = ["username", "first_name", "last_name", "role", "jurisdiction", "organization", "official",
                      "is_national"]
            read_only_fields = fields

    @extend_schema(operation_id="me", summary="The caller's account", responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)
