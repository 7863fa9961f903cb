"""Audit trail API: read-only, for the security auditor."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from datasecurity import selectors
from datasecurity.rules.actions import action_label


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label", help_text="username, or system / anonymous")
    actor_name = serializers.CharField(help_text="the actor's full name when they are an employee, else empty")
    action = serializers.CharField(help_text="the action code, e.g. employee.update")
    action_label = serializers.SerializerMethodField(help_text="the action in the reader's language")
    object_type = serializers.CharField()
    object_type_label = serializers.CharField(help_text="the kind of object in the reader's language")
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)
    changes = serializers.JSONField()
    hash = serializers.CharField()

    def get_action_label(self, event) -> str:
        return action_label(event.action)


class AuditEventListApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "category",
                str,
                enum=["sign_in"],
                description="sign_in: failed sign-ins and lockouts (username tried, reason, IP)",
            ),
            OpenApiParameter("action", str, description="an action code (exact), or the start of codes (user.)"),
            OpenApiParameter("actor", str, description="text in the actor's full name or username"),
            OpenApiParameter(
                "object_type", str, description="a model (callcenter.employee) or a whole module (attendance)"
            ),
            OpenApiParameter("object_id", str),
            OpenApiParameter("since", str, description="YYYY-MM-DD"),
            OpenApiParameter("until", str, description="YYYY-MM-DD"),
            *PAGE_PARAMETERS,
        ],
        responses=paginated_schema(AuditEventOutputSerializer),
        summary="Audit events, newest first (security auditor only)",
    )
    def get(self, request):
        events = selectors.audit_event_list(user=request.user, filters=request.query_params)
        return paginated_response(
            request=request, view=self, queryset=events, serializer_class=AuditEventOutputSerializer
        )


urlpatterns = [
    path("audit/events/", AuditEventListApi.as_view(), name="audit_event_list"),
]
