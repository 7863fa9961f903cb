"""Attendance API: computed days and monthly summaries (ATT-4, ATT-5), visibility-aware."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from attendance import selectors
from attendance.rules import explain
from callcenter.inputs import ApiDateField, ApiIdField, ApiMonthField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role


@extend_schema_field(
    {"type": "array", "items": {"type": "object", "additionalProperties": True}},
)
class ExplanationField(serializers.Field):
    """The rules applied (rule, article, figures) plus ``text`` in the caller's language."""

    def to_representation(self, value):
        return [{**item, "text": explain(item)} for item in value]


class DailyOutputSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    work_date = serializers.DateField()
    status = serializers.CharField()
    shift = serializers.CharField(source="shift.code", allow_null=True, default=None)
    first_in = serializers.DateTimeField(allow_null=True)
    last_out = serializers.DateTimeField(allow_null=True)
    late_minutes = serializers.IntegerField()
    early_minutes = serializers.IntegerField()
    scheduled_minutes = serializers.IntegerField()
    worked_minutes = serializers.IntegerField()
    explanation = ExplanationField()


class DailyListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        employee = ApiIdField(required=False)
        date_from = ApiDateField(required=False)
        date_to = ApiDateField(required=False)
        status = serializers.CharField(required=False, max_length=20)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(DailyOutputSerializer),
        summary="Computed attendance days the caller may see, each with its explanation",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        days = selectors.daily_attendance_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=days, serializer_class=DailyOutputSerializer)


class SummaryLineSerializer(serializers.Serializer):
    work_date = serializers.DateField()
    rule = serializers.CharField()
    article = serializers.CharField()
    fine = serializers.DecimalField(max_digits=10, decimal_places=2)
    absence_days = serializers.DecimalField(max_digits=5, decimal_places=1)
    text = serializers.SerializerMethodField()

    def get_text(self, line) -> str:
        return explain({"rule": line.rule, **line.detail})


class SummaryPageSerializer(serializers.ListSerializer):
    """One page of employees becomes their month's summaries (bounded queries for the page)."""

    def to_representation(self, data):
        rows = selectors.monthly_summary_list(
            user=self.context["request"].user, month=self.context["month"], employees=list(data)
        )
        return super().to_representation(rows)


class SummaryOutputSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="employee.pk")
    employee_no = serializers.CharField(source="employee.employee_no")
    name = serializers.CharField(source="employee.name")
    month = serializers.DateField()
    occurrences = serializers.IntegerField(source="result.occurrences")
    fines = serializers.DecimalField(source="result.fines", max_digits=10, decimal_places=2)
    absence_days = serializers.DecimalField(source="result.absence_days", max_digits=5, decimal_places=1)
    deduction = serializers.DecimalField(source="result.deduction", max_digits=10, decimal_places=2)
    missing_punches = serializers.IntegerField(source="result.missing_punches")
    leave_days = serializers.DecimalField(source="result.leave_days", max_digits=5, decimal_places=1)
    adherence = serializers.DecimalField(source="result.adherence", max_digits=5, decimal_places=1, allow_null=True)
    verified = serializers.SerializerMethodField()
    lines = SummaryLineSerializer(source="result.lines", many=True)

    def get_verified(self, row) -> bool:
        return row.verified is not None

    class Meta:
        list_serializer_class = SummaryPageSerializer


class SummaryListApi(APIView):
    permission_classes = [HasRole(Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)]

    class FilterSerializer(serializers.Serializer):
        month = ApiMonthField(help_text="YYYY-MM")
        team = ApiIdField(required=False)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(SummaryOutputSerializer),
        summary="Monthly attendance summaries (fines, absenteeism, deduction; ATT-4, ATT-5), one per employee",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        month = data["month"]
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.summary_employees(user=request.user, team_id=data.get("team")),
            serializer_class=SummaryOutputSerializer,
            context={"month": month},
        )


urlpatterns = [
    path("daily/", DailyListApi.as_view(), name="daily"),
    path("summaries/", SummaryListApi.as_view(), name="summaries"),
]
