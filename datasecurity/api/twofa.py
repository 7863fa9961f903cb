"""Two-factor login API (SEC-2, SEC-3): the current user's status, and the API tokens of the
accounts that must use 2FA (for administrators and security auditors; revocable)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from datasecurity import selectors, services


class TwoFactorStatusOutputSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField(help_text="an authenticator app is set up")
    required = serializers.BooleanField(help_text="the user must use two-factor login (SEC-2)")
    required_as_administrator = serializers.BooleanField(help_text="required because the account is an administrator")
    required_roles = serializers.ListField(
        child=serializers.CharField(), help_text="the user's roles that the two-factor policy lists"
    )
    may_remove = serializers.BooleanField(help_text="the user may turn two-factor login off")
    recovery_codes_left = serializers.IntegerField()
    enrolled_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    trusted_device_days = serializers.IntegerField(help_text="days a trusted browser skips the code (SEC-3); 0: off")


class TwoFactorStatusApi(APIView):
    """The current user's two-factor login. A session that has not passed the second step gets
    403 ``twofa_verification_required`` / ``twofa_enrolment_required`` here as everywhere."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=TwoFactorStatusOutputSerializer, summary="My two-factor login status (SEC-2)")
    def get(self, request):
        status = selectors.twofa_status(user=request.user)
        data = {
            "enrolled": status.enrolled,
            "required": status.required,
            "required_as_administrator": status.requirement.administrator,
            "required_roles": list(status.requirement.roles),
            "may_remove": status.may_remove,
            "recovery_codes_left": status.recovery_codes_left,
            "enrolled_at": status.enrolled_at,
            "last_used_at": status.last_used_at,
            "trusted_device_days": status.trusted_device_days,
        }
        return Response(TwoFactorStatusOutputSerializer(data).data)


class MayReviewTwoFactorTokens(BasePermission):
    message = "Only administrators and security auditors review these API tokens (SEC-2)."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and selectors.twofa_tokens_may_review(request.user))


class TwoFactorTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    employee_name = serializers.SerializerMethodField()
    name = serializers.CharField()
    key_prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField()
    status = serializers.ChoiceField(choices=["active", "expired", "revoked"])

    def get_employee_name(self, token) -> str:
        employee = getattr(token.user, "employee", None)
        return employee.name if employee is not None else ""


class TwoFactorTokenListApi(APIView):
    permission_classes = [MayReviewTwoFactorTokens]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["active", "expired", "revoked"]),
            OpenApiParameter("q", str, description="text in the username, the employee's name or the token's name"),
            *PAGE_PARAMETERS,
        ],
        responses=paginated_schema(TwoFactorTokenOutputSerializer),
        summary="API tokens of the accounts that must use two-factor login (SEC-2, SEC-3)",
    )
    def get(self, request):
        tokens = selectors.twofa_token_list(user=request.user, filters=request.query_params)
        return paginated_response(
            request=request, view=self, queryset=tokens, serializer_class=TwoFactorTokenOutputSerializer
        )


class TwoFactorTokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=TwoFactorTokenOutputSerializer, summary="Revoke an API token (SEC-2)")
    def post(self, request, pk: int):
        token = services.twofa_api_token_revoke(actor=request.user, token_id=pk)
        return Response(TwoFactorTokenOutputSerializer(token).data)


urlpatterns = [
    path("twofa/status/", TwoFactorStatusApi.as_view(), name="twofa_status"),
    path("twofa/tokens/", TwoFactorTokenListApi.as_view(), name="twofa_token_list"),
    path("twofa/tokens/<int:pk>/revoke/", TwoFactorTokenRevokeApi.as_view(), name="twofa_token_revoke"),
]
