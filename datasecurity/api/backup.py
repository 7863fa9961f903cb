"""Backups API (SEC-1): the backups and restore drills registers (list, detail) and starting a
backup or a drill. Administrators (staff) read and start; security auditors read."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from datasecurity import selectors, services
from datasecurity.models import BackupRunStatus, BackupTrigger


class CanReadBackups(BasePermission):
    message = "Only administrators and security auditors read the backups."

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return selectors.can_read_backups(request.user)
        return selectors.can_manage_backups(request.user)


class LocationSerializer(serializers.Serializer):
    storage = serializers.CharField(help_text="backup_local or backup_remote")
    label = serializers.CharField(help_text="the location without its password")
    ok = serializers.BooleanField(help_text="written and read back with the same SHA-256")
    sha256 = serializers.CharField(help_text="SHA-256 of the copy read back")
    error = serializers.CharField()


class BackupRunOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trigger = serializers.CharField(help_text="schedule, manual, api or command")
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    method = serializers.CharField(help_text="pg_dump or sqlite_backup")
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    step = serializers.CharField(help_text="the step running now (database, files, encrypt, copies)")
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.SerializerMethodField()
    name = serializers.CharField(help_text="the bundle's name in both locations")
    size = serializers.IntegerField(help_text="bytes of the encrypted bundle")
    database_size = serializers.IntegerField()
    files_count = serializers.IntegerField()
    files_size = serializers.IntegerField()
    sha256 = serializers.CharField()
    key_id = serializers.CharField()
    locations = LocationSerializer(many=True)
    timings = serializers.DictField(child=serializers.FloatField(), help_text="seconds per step")
    error = serializers.CharField()
    pruned_at = serializers.DateTimeField(
        allow_null=True, help_text="when deleted from the locations (beyond the number kept)"
    )
    proven = serializers.BooleanField(help_text="a restore drill of this backup passed (SEC-1)")
    last_drill_result = serializers.CharField(allow_null=True, help_text="queued, running, passed or failed")

    def get_duration_seconds(self, run) -> float | None:
        return run.duration.total_seconds() if run.duration else None


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="copy, checksum, decrypt, manifest, restore, migrations, row_counts, audit_chain or files"
    )
    label = serializers.SerializerMethodField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()

    def get_label(self, check) -> str:
        return str(selectors.DRILL_CHECK_LABELS.get(check["code"], check["code"]))


class RestoreDrillOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    backup = serializers.IntegerField(source="backup_id")
    trigger = serializers.CharField()
    result = serializers.CharField(help_text="queued, running, passed (restorable) or failed")
    step = serializers.CharField()
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField(help_text="where the backup was restored from (the remote location)")
    scratch_database = serializers.CharField(help_text="the scratch database (dropped afterwards)")
    checks = CheckSerializer(many=True)
    timings = serializers.DictField(child=serializers.FloatField(), help_text="seconds per step")
    error = serializers.CharField()


class RestoreDrillInputSerializer(serializers.Serializer):
    backup = serializers.IntegerField(required=False, allow_null=True, help_text="default: the newest stored backup")


class BackupRunListApi(APIView):
    permission_classes = [CanReadBackups]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=BackupRunStatus.values), *PAGE_PARAMETERS],
        responses=paginated_schema(BackupRunOutputSerializer),
        summary="Backups, newest first, with locations, checksums and whether a restore proved them (SEC-1)",
    )
    def get(self, request):
        runs = selectors.backup_run_list(user=request.user, filters=request.query_params)
        return paginated_response(request=request, view=self, queryset=runs, serializer_class=BackupRunOutputSerializer)

    @extend_schema(
        request=None,
        responses={202: BackupRunOutputSerializer},
        summary="Start a backup now (administrators; 409 backup_busy when one runs); poll its detail",
    )
    def post(self, request):
        run = services.backup_request(actor=request.user, trigger=BackupTrigger.API)
        run = selectors.backup_run_get(user=request.user, pk=run.pk)
        return Response(BackupRunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class BackupRunDetailApi(APIView):
    permission_classes = [CanReadBackups]

    @extend_schema(responses=BackupRunOutputSerializer, summary="One backup")
    def get(self, request, pk: int):
        return Response(BackupRunOutputSerializer(selectors.backup_run_get(user=request.user, pk=pk)).data)


class RestoreDrillListApi(APIView):
    permission_classes = [CanReadBackups]

    @extend_schema(
        parameters=[OpenApiParameter("backup", int, description="only this backup's drills"), *PAGE_PARAMETERS],
        responses=paginated_schema(RestoreDrillOutputSerializer),
        summary="Restore drills, newest first, each check's outcome (SEC-1)",
    )
    def get(self, request):
        raw = request.query_params.get("backup", "")
        drills = selectors.restore_drill_list(user=request.user, backup_id=int(raw) if raw.isdigit() else None)
        return paginated_response(
            request=request, view=self, queryset=drills, serializer_class=RestoreDrillOutputSerializer
        )

    @extend_schema(
        request=RestoreDrillInputSerializer,
        responses={202: RestoreDrillOutputSerializer},
        summary="Start a restore drill of a backup (administrators; the newest stored by default)",
    )
    def post(self, request):
        serializer = RestoreDrillInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drill = services.restore_drill_request(
            actor=request.user, backup_id=serializer.validated_data.get("backup"), trigger=BackupTrigger.API
        )
        drill = selectors.restore_drill_get(user=request.user, pk=drill.pk)
        return Response(RestoreDrillOutputSerializer(drill).data, status=status.HTTP_202_ACCEPTED)


class RestoreDrillDetailApi(APIView):
    permission_classes = [CanReadBackups]

    @extend_schema(responses=RestoreDrillOutputSerializer, summary="One restore drill")
    def get(self, request, pk: int):
        return Response(RestoreDrillOutputSerializer(selectors.restore_drill_get(user=request.user, pk=pk)).data)


urlpatterns = [
    path("backups/", BackupRunListApi.as_view(), name="backup_list"),
    path("backups/<int:pk>/", BackupRunDetailApi.as_view(), name="backup_detail"),
    path("backups/drills/", RestoreDrillListApi.as_view(), name="restore_drill_list"),
    path("backups/drills/<int:pk>/", RestoreDrillDetailApi.as_view(), name="restore_drill_detail"),
]
