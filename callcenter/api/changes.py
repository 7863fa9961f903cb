"""Transfers and changes over the API (issue 13, GEN-2): an employee's employment history
(paginated; pay events for HR and the employee only), HR's transfer and pay change with an
effective date, and the cancelling of a scheduled change. One class per action."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.forms import PAY_MAX, REASON_MAX_LENGTH
from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role


class EmploymentEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    kind = serializers.CharField()
    effective_on = serializers.DateField()
    status = serializers.CharField()
    changes = serializers.SerializerMethodField()
    reason = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)
    recorded_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True)

    def get_changes(self, event) -> dict:
        """{field: [before, after]}; the pay fields only for HR and the employee."""
        changes = dict(event.changes or {})
        if not self.context.get("pay_visible"):
            for field in selectors.PAY_FIELDS:
                changes.pop(field, None)
        return changes


class EmployeeHistoryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(EmploymentEventOutputSerializer),
        summary="An employee's employment history, newest first (GEN-2; 404 when not visible)",
    )
    def get(self, request, pk: int):
        _employee, events, pay_visible = selectors.employment_timeline(user=request.user, employee_id=pk)
        return paginated_response(
            request=request,
            view=self,
            queryset=events,
            serializer_class=EmploymentEventOutputSerializer,
            context={"pay_visible": pay_visible},
        )


class _ChangeInputSerializer(serializers.Serializer):
    effective_on = ApiDateField()
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class TransferInputSerializer(_ChangeInputSerializer):
    department_id = ApiIdField()
    team_id = ApiIdField(required=False, allow_null=True, default=None)
    position_id = ApiIdField()


class PayChangeInputSerializer(_ChangeInputSerializer):
    monthly_base_pay = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, max_value=PAY_MAX)
    bonus_base = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, max_value=PAY_MAX)


def _created(event) -> Response:
    data = EmploymentEventOutputSerializer(event, context={"pay_visible": True}).data
    return Response(data, status=status.HTTP_201_CREATED)


class EmployeeTransferApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=TransferInputSerializer,
        responses={201: EmploymentEventOutputSerializer},
        summary="Transfer an employee from a date (HR; applied now or scheduled)",
    )
    def post(self, request, pk: int):
        serializer = TransferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _created(services.employee_transfer(actor=request.user, employee_id=pk, **serializer.validated_data))


class EmployeePayChangeApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=PayChangeInputSerializer,
        responses={201: EmploymentEventOutputSerializer},
        summary="Change an employee's pay from a date (HR; applied now or scheduled)",
    )
    def post(self, request, pk: int):
        serializer = PayChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _created(services.employee_pay_change(actor=request.user, employee_id=pk, **serializer.validated_data))


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class EmploymentEventCancelApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=CancelInputSerializer,
        responses=EmploymentEventOutputSerializer,
        summary="Cancel a scheduled change (HR; applied changes stay)",
    )
    def post(self, request, pk: int):
        serializer = CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.employment_event_cancel(actor=request.user, event_id=pk, **serializer.validated_data)
        return Response(EmploymentEventOutputSerializer(event, context={"pay_visible": True}).data)


urlpatterns = [
    path("employees/<int:pk>/history/", EmployeeHistoryApi.as_view(), name="employee_history"),
    path("employees/<int:pk>/transfer/", EmployeeTransferApi.as_view(), name="employee_transfer"),
    path("employees/<int:pk>/pay/", EmployeePayChangeApi.as_view(), name="employee_pay_change"),
    path("employment-events/<int:pk>/cancel/", EmploymentEventCancelApi.as_view(), name="employment_event_cancel"),
]
