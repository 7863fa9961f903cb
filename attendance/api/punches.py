"""Attendance API: punches (ATT-2).

- ``POST /punches/me/``: the caller's own punch (session or API token); the time is the server's.
- ``GET /punches/``: punches the caller may see (paginated).
- ``POST /punches/``: a batch from a time clock, authenticated by ``Authorization: Device <token>``.
  Only this method of this endpoint accepts device tokens.
"""

from django.urls import path
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from attendance.models import Device
from callcenter.errors import ApplicationError
from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.request_context import current_client_ip
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema


class DeviceAuthentication(authentication.BaseAuthentication):
    """``Authorization: Device <token>``; ``request.auth`` is the Device, ``request.user`` None."""

    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Device header: give exactly one token.")
        try:
            token = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid device token.") from exc
        try:
            device = services.device_authenticate(token=token)
        except ApplicationError as exc:
            if exc.status == 403:
                raise exceptions.PermissionDenied(str(exc.message)) from exc
            raise exceptions.AuthenticationFailed(str(exc.message)) from exc
        return (None, device)

    def authenticate_header(self, request):
        return self.keyword


class DeviceAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = DeviceAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Time clocks: "Device <token>" (created with `manage.py device_create`).',
        }


class IsDevice(BasePermission):
    message = "A time clock token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, Device)


class PunchOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    punched_at = serializers.DateTimeField()
    source = serializers.CharField()


class PunchListOutputSerializer(PunchOutputSerializer):
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    device = serializers.CharField(source="device.name", allow_null=True, default=None)


class PunchMeInputSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(max_length=80, help_text="Client-generated, [A-Za-z0-9_-]{1,80}.")


class PunchMeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PunchMeInputSerializer,
        responses={201: PunchOutputSerializer, 200: PunchOutputSerializer},
        summary="Clock in or out now (server time); the same key again returns the first punch",
    )
    def post(self, request):
        data = PunchMeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        punch, created = services.punch_record(
            actor=request.user,
            idempotency_key=data.validated_data["idempotency_key"],
            ip=current_client_ip(),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return Response(
            PunchOutputSerializer(punch).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class PunchDeviceRowSerializer(serializers.Serializer):
    employee_no = serializers.CharField()
    punched_at = serializers.DateTimeField(help_text="ISO 8601 with a time zone offset, from the time clock.")
    device_punch_id = serializers.CharField(max_length=80)


class PunchBatchInputSerializer(serializers.Serializer):
    punches = PunchDeviceRowSerializer(many=True)


class PunchBatchOutputSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class PunchFilterSerializer(serializers.Serializer):
    employee = ApiIdField(required=False)
    date_from = ApiDateField(required=False)
    date_to = ApiDateField(required=False)


class PunchCollectionApi(APIView):
    """GET: users' visible punches; POST: a time clock's batch (device token only)."""

    permission_classes = [IsAuthenticated]

    def _is_device_call(self) -> bool:
        # self.request is the Django request here (set by View.setup); None while drf-spectacular
        # builds its mock request.
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        if self._is_device_call():
            return [DeviceAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if self._is_device_call():
            return [IsDevice()]
        return super().get_permissions()

    @extend_schema(
        parameters=[PunchFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(PunchListOutputSerializer),
        summary="Punches of the employees the caller may see",
    )
    def get(self, request):
        filters = PunchFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        punches = selectors.punch_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=punches, serializer_class=PunchListOutputSerializer
        )

    @extend_schema(
        request=PunchBatchInputSerializer,
        responses={201: PunchBatchOutputSerializer, 200: PunchBatchOutputSerializer},
        summary="A time clock pushes a batch of punches (all rows or none; re-sending changes nothing)",
        description="400 {detail, code: invalid_batch, errors: [{row, field, detail}]} when any row is "
        "invalid; nothing is written then.",
    )
    def post(self, request):
        rows = request.data.get("punches") if isinstance(request.data, dict) else None
        # The service validates every row (and reports them all by row number), so the rows go
        # to it as sent: a serializer here would stop at the first shape error per row.
        result = services.device_punches_push(device_id=request.auth.pk, rows=rows, ip=current_client_ip())
        code = status.HTTP_201_CREATED if result["created"] else status.HTTP_200_OK
        return Response(PunchBatchOutputSerializer(result).data, status=code)


urlpatterns = [
    path("punches/me/", PunchMeApi.as_view(), name="punch_me"),
    path("punches/", PunchCollectionApi.as_view(), name="punch_list"),
]
