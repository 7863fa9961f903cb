"""Audit archives API, for the security auditor (SEC-2): the archives of the events past the
retention (list, detail) and the download of one (audited), as on the archives page."""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import private_file_response
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import AuditArchiveStatus


class AuditArchiveOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_event_id = serializers.IntegerField()
    last_event_id = serializers.IntegerField()
    event_count = serializers.IntegerField()
    first_occurred_at = serializers.DateTimeField(help_text="the oldest event's time")
    last_occurred_at = serializers.DateTimeField(help_text="the newest event's time")
    first_prev_hash = serializers.CharField(help_text="the hash the first event chains from (the archive before)")
    last_hash = serializers.CharField(help_text="the last hash (the next archive or the live chain begins there)")
    signature = serializers.CharField(help_text="HMAC-SHA256 of the content with the audit chain key")
    sha256 = serializers.CharField(help_text="SHA-256 of the file, the same in every location")
    size = serializers.IntegerField(help_text="bytes")
    stored_name = serializers.CharField()
    locations = serializers.ListField(child=serializers.CharField(), help_text="backup_local, backup_remote")
    retention_days = serializers.IntegerField(help_text="the retention in force when archived (SEC-2)")
    status = serializers.ChoiceField(
        choices=AuditArchiveStatus.choices, help_text="verified: events still in the database; deleted: removed"
    )
    created_at = serializers.DateTimeField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted_count = serializers.IntegerField()
    method = serializers.CharField()
    responsible = serializers.CharField()
    verified_at = serializers.DateTimeField(allow_null=True, help_text="latest verification (audit_verify)")
    verify_ok = serializers.BooleanField(allow_null=True, help_text="null: not verified yet")
    verify_detail = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, archive) -> str:
        return reverse("api:datasecurity:audit_archive_download", args=[archive.pk])


class AuditArchiveListApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(AuditArchiveOutputSerializer),
        summary="Audit archives, newest events first (security auditor only; SEC-2)",
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.audit_archive_list(user=request.user),
            serializer_class=AuditArchiveOutputSerializer,
        )


class AuditArchiveDetailApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(responses=AuditArchiveOutputSerializer, summary="One audit archive (security auditor only)")
    def get(self, request, pk: int):
        return Response(AuditArchiveOutputSerializer(selectors.audit_archive_get(user=request.user, pk=pk)).data)


class AuditArchiveDownloadApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={(200, services.ARCHIVE_CONTENT_TYPE): OpenApiTypes.BINARY},
        summary=(
            "Download an archive (gzip'd JSON lines, signed footer): an intact copy (409 archive_unavailable "
            "when none); audited"
        ),
    )
    def get(self, request, pk: int):
        archive, handle = services.audit_archive_open(actor=request.user, archive_id=pk)
        return private_file_response(
            handle, filename=selectors.audit_archive_filename(archive), content_type=services.ARCHIVE_CONTENT_TYPE
        )


urlpatterns = [
    path("audit/archives/", AuditArchiveListApi.as_view(), name="audit_archive_list"),
    path("audit/archives/<int:pk>/", AuditArchiveDetailApi.as_view(), name="audit_archive_detail"),
    path("audit/archives/<int:pk>/download/", AuditArchiveDownloadApi.as_view(), name="audit_archive_download"),
]
