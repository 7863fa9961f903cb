"""Audit trail API, for the security auditor: the events (read-only) and the background exports
of the trail (request, list, status, download; SEC-2)."""

from django.urls import path, reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import private_file_response
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import AuditExportFormat, AuditExportStatus
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


class AuditExportInputSerializer(serializers.Serializer):
    """The format and the same filters as the event list (the selection is fixed when requested)."""

    format = serializers.ChoiceField(choices=AuditExportFormat.choices)
    category = serializers.ChoiceField(choices=["sign_in"], required=False, allow_blank=True)
    action = serializers.CharField(required=False, allow_blank=True, max_length=150)
    actor = serializers.CharField(required=False, allow_blank=True, max_length=150)
    object_type = serializers.CharField(required=False, allow_blank=True, max_length=150)
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=150)
    since = serializers.DateField(required=False, allow_null=True)
    until = serializers.DateField(required=False, allow_null=True)


class AuditExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requested_by = serializers.CharField(source="requested_by.username")
    filters = serializers.JSONField()
    format = serializers.CharField(source="file_format")
    status = serializers.CharField(help_text="queued, running, done or failed (as stored)")
    state = serializers.CharField(
        help_text="what to show: queued, running, stalled (no progress for 30 minutes: ask again), done or failed"
    )
    rows_total = serializers.IntegerField(help_text="events selected when requested")
    rows_written = serializers.IntegerField()
    percent = serializers.IntegerField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    error = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, export) -> str | None:
        if export.status != AuditExportStatus.DONE:
            return None
        return reverse("api:datasecurity:audit_export_download", args=[export.pk])


class AuditExportListApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        responses=AuditExportOutputSerializer(many=True),
        summary="The caller's background exports of the audit trail, newest first (latest 10)",
    )
    def get(self, request):
        return Response(AuditExportOutputSerializer(selectors.audit_export_list(user=request.user), many=True).data)

    @extend_schema(
        request=AuditExportInputSerializer,
        responses={202: AuditExportOutputSerializer},
        summary=(
            "Queue a CSV or XLSX export of the filtered events (up to 5,000,000; more is 400 export_over_cap); "
            "poll its status, then download. Audited."
        ),
    )
    def post(self, request):
        serializer = AuditExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        fmt = data.pop("format")
        filters = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in data.items()}
        export = services.audit_export_request(
            actor=request.user, filters={k: v for k, v in filters.items() if v}, fmt=fmt, language=get_language()
        )
        # The task may already have run (eager mode, a fast worker): answer with the row as it is now.
        export = selectors.audit_export_get(user=request.user, pk=export.pk)
        return Response(AuditExportOutputSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class AuditExportStatusApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        responses=AuditExportOutputSerializer,
        summary="A background export's status and progress (any security auditor's export)",
    )
    def get(self, request, pk: int):
        return Response(AuditExportOutputSerializer(selectors.audit_export_get(user=request.user, pk=pk)).data)


class AuditExportDownloadApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={
            (200, media.split(";")[0]): OpenApiTypes.BINARY for media in services.AUDIT_EXPORT_CONTENT_TYPES.values()
        },
        summary="Download a finished export (any security auditor); checksum verified (409 if changed), audited",
    )
    def get(self, request, pk: int):
        export, handle = services.audit_export_open(actor=request.user, export_id=pk)
        return private_file_response(
            handle,
            filename=selectors.audit_export_filename(export),
            content_type=services.AUDIT_EXPORT_CONTENT_TYPES[export.file_format],
        )


urlpatterns = [
    path("audit/events/", AuditEventListApi.as_view(), name="audit_event_list"),
    path("audit/exports/", AuditExportListApi.as_view(), name="audit_export_list"),
    path("audit/exports/<int:pk>/", AuditExportStatusApi.as_view(), name="audit_export_status"),
    path("audit/exports/<int:pk>/download/", AuditExportDownloadApi.as_view(), name="audit_export_download"),
]
