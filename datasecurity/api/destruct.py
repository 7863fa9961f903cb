"""Destruction of data no longer needed (SEC-4) over the API: the destruction register and its
certificates (security auditor), the requests (list, detail, create: HR and administrators;
approve, reject: security auditors and company leaders, never the requester) and the retention
schedule (read: the same people as the requests). The same services and rules as the pages."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import file_response
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import DestructionMethod, DestructionRequestStatus


class _RequestReader(BasePermission):
    """HR, administrators, security auditors and company leaders (SEC-4)."""

    message = "You do not have the role this action needs."

    def has_permission(self, request, view):
        user = request.user
        return selectors.can_request_destruction(user) or selectors.can_approve_destruction(user)


class _Requester(BasePermission):
    message = "Only HR and administrators request a destruction (SEC-4)."

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return _RequestReader().has_permission(request, view)
        return selectors.can_request_destruction(request.user)


class _Person(serializers.Serializer):
    username = serializers.CharField(source="get_username")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        employee = getattr(user, "employee", None)
        return employee.name if employee is not None else ""


class DestructionRecordOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial = serializers.CharField(help_text="the certificate's serial number, SEC4-<year>-<number>")
    category = serializers.CharField(help_text="the data category's code")
    category_label = serializers.SerializerMethodField(help_text="the category in the reader's language")
    name = serializers.CharField(help_text="the category's name when the record was written")
    quantity = serializers.IntegerField()
    method = serializers.CharField(
        help_text="anonymise, file_delete, row_delete (SEC-4) or archive_delete (audit retention, SEC-2)",
    )
    destroyed_at = serializers.DateTimeField()
    responsible = _Person(allow_null=True, help_text="the person who asked; null for a scheduled job")
    responsible_label = serializers.CharField(help_text="the scheduled job that destroyed, when no person asked")
    approver = _Person(allow_null=True)
    request = serializers.IntegerField(source="request_id", allow_null=True)
    details = serializers.JSONField()

    def get_category_label(self, record) -> str:
        return str(selectors.destruction_category_label(record.category))


class DestructionRecordListApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="a data category's code"),
            OpenApiParameter("method", str, enum=DestructionMethod.values),
            OpenApiParameter("since", str, description="YYYY-MM-DD (local date, inclusive)"),
            OpenApiParameter("until", str, description="YYYY-MM-DD (local date, inclusive)"),
            OpenApiParameter("request", int, description="the destruction request's id"),
            *PAGE_PARAMETERS,
        ],
        responses=paginated_schema(DestructionRecordOutputSerializer),
        summary="The destruction register, newest first (security auditor; SEC-4)",
    )
    def get(self, request):
        records = selectors.destruction_record_list(user=request.user, filters=request.query_params)
        return paginated_response(
            request=request, view=self, queryset=records, serializer_class=DestructionRecordOutputSerializer
        )


class DestructionRecordDetailApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(responses=DestructionRecordOutputSerializer, summary="One destruction record (security auditor)")
    def get(self, request, pk: int):
        record = selectors.destruction_record_get(user=request.user, pk=pk)
        return Response(DestructionRecordOutputSerializer(record).data)


class DestructionCertificateApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="The certificate of destruction of a record as PDF, in the caller's language (audited)",
    )
    def get(self, request, pk: int):
        return file_response(services.destruction_certificate(actor=request.user, record_id=pk))


class DestructionItemOutputSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_label = serializers.SerializerMethodField()
    method = serializers.CharField(
        help_text="anonymise, file_delete, row_delete (SEC-4) or archive_delete (audit retention, SEC-2)",
    )
    retention_days = serializers.IntegerField()
    cutoff = serializers.DateTimeField(help_text="data older than this was due when the request was made")
    quantity = serializers.IntegerField(help_text="due when the request was made (frozen)")
    destroyed = serializers.IntegerField()
    description = serializers.CharField()
    samples = serializers.ListField(child=serializers.CharField())

    def get_category_label(self, item) -> str:
        return str(selectors.destruction_category_label(item.category))


class DestructionRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requested_by = _Person()
    requested_at = serializers.DateTimeField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=DestructionRequestStatus.choices)
    decided_by = _Person(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    items_total = serializers.IntegerField()
    items_done = serializers.IntegerField()
    percent = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField()
    items = DestructionItemOutputSerializer(many=True, source="items.all")


class DestructionRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class DestructionRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class DestructionRequestListApi(APIView):
    permission_classes = [_Requester]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=DestructionRequestStatus.values), *PAGE_PARAMETERS],
        responses=paginated_schema(DestructionRequestOutputSerializer),
        summary="Destruction requests, newest first (HR, administrators, security auditors, company leaders)",
    )
    def get(self, request):
        requests = selectors.destruction_request_list(user=request.user, filters=request.query_params)
        return paginated_response(
            request=request, view=self, queryset=requests, serializer_class=DestructionRequestOutputSerializer
        )

    @extend_schema(
        request=DestructionRequestInputSerializer,
        responses={201: DestructionRequestOutputSerializer},
        summary="Request the destruction of what is due now (HR or an administrator; quantities frozen; SEC-4)",
    )
    def post(self, request):
        serializer = DestructionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.destruction_request_create(actor=request.user, reason=serializer.validated_data["reason"])
        destruction = selectors.destruction_request_get(user=request.user, pk=created.pk)
        return Response(DestructionRequestOutputSerializer(destruction).data, status=status.HTTP_201_CREATED)


class DestructionRequestDetailApi(APIView):
    permission_classes = [_RequestReader]

    @extend_schema(responses=DestructionRequestOutputSerializer, summary="One destruction request with its progress")
    def get(self, request, pk: int):
        destruction = selectors.destruction_request_get(user=request.user, pk=pk)
        return Response(DestructionRequestOutputSerializer(destruction).data)


class DestructionRequestApproveApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR, Role.COMPANY_LEADER)]

    @extend_schema(
        request=None,
        responses=DestructionRequestOutputSerializer,
        summary="Approve a pending request (security auditor or company leader, not the requester); the job runs next",
    )
    def post(self, request, pk: int):
        services.destruction_request_approve(actor=request.user, request_id=pk)
        destruction = selectors.destruction_request_get(user=request.user, pk=pk)
        return Response(DestructionRequestOutputSerializer(destruction).data)


class DestructionRequestRejectApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR, Role.COMPANY_LEADER)]

    @extend_schema(
        request=DestructionRejectInputSerializer,
        responses=DestructionRequestOutputSerializer,
        summary="Reject a pending request with a reason (security auditor or company leader, not the requester)",
    )
    def post(self, request, pk: int):
        serializer = DestructionRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.destruction_request_reject(
            actor=request.user, request_id=pk, reason=serializer.validated_data["reason"]
        )
        destruction = selectors.destruction_request_get(user=request.user, pk=pk)
        return Response(DestructionRequestOutputSerializer(destruction).data)


class RetentionRowOutputSerializer(serializers.Serializer):
    category = serializers.CharField(source="code")
    label = serializers.CharField(source="category.label")
    article = serializers.CharField(source="category.article")
    days = serializers.IntegerField(help_text="the period in force")
    default_days = serializers.IntegerField(source="category.default_days")
    reason = serializers.CharField(source="category.reason", help_text="why the default")
    methods = serializers.ListField(child=serializers.CharField(), source="category.methods")
    due = serializers.IntegerField(source="due.quantity", help_text="items older than the period now")


class RetentionPeriodInputSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=50)
    days = serializers.CharField(max_length=10, help_text="whole days, 30 to 10,950 (SEC-4)")


class _ScheduleEditor(BasePermission):
    message = "Only HR and administrators set the retention schedule (SEC-4)."

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return _RequestReader().has_permission(request, view)
        return selectors.can_request_destruction(request.user)


class RetentionScheduleApi(APIView):
    permission_classes = [_ScheduleEditor]

    @extend_schema(
        responses=RetentionRowOutputSerializer(many=True),
        summary="The retention schedule (SEC-4): each data category's period, default and what is due now",
    )
    def get(self, request):
        rows = selectors.destruction_due(user=request.user)
        return Response(RetentionRowOutputSerializer(rows, many=True).data)

    @extend_schema(
        request=RetentionPeriodInputSerializer,
        responses=RetentionRowOutputSerializer(many=True),
        summary="Set how long a data category is kept (HR or an administrator; bounded, audited; SEC-4)",
    )
    def post(self, request):
        serializer = RetentionPeriodInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.retention_period_set(actor=request.user, **serializer.validated_data)
        rows = selectors.destruction_due(user=request.user)
        return Response(RetentionRowOutputSerializer(rows, many=True).data)


urlpatterns = [
    path("destruction/records/", DestructionRecordListApi.as_view(), name="destruction_record_list"),
    path("destruction/records/<int:pk>/", DestructionRecordDetailApi.as_view(), name="destruction_record_detail"),
    path(
        "destruction/records/<int:pk>/certificate/",
        DestructionCertificateApi.as_view(),
        name="destruction_certificate",
    ),
    path("destruction/requests/", DestructionRequestListApi.as_view(), name="destruction_request_list"),
    path("destruction/requests/<int:pk>/", DestructionRequestDetailApi.as_view(), name="destruction_request_detail"),
    path(
        "destruction/requests/<int:pk>/approve/",
        DestructionRequestApproveApi.as_view(),
        name="destruction_request_approve",
    ),
    path(
        "destruction/requests/<int:pk>/reject/",
        DestructionRequestRejectApi.as_view(),
        name="destruction_request_reject",
    ),
    path("destruction/retention/", RetentionScheduleApi.as_view(), name="retention_schedule"),
]
