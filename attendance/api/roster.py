"""Attendance API: shift types and the roster (ATT-1). One class per endpoint, plain serializers."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema


class ShiftTypeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    start_time = serializers.TimeField(format="%H:%M")
    end_time = serializers.TimeField(format="%H:%M")
    break_minutes = serializers.IntegerField()
    overnight = serializers.BooleanField()
    paid_minutes = serializers.IntegerField()
    active = serializers.BooleanField()


class ShiftTypeListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(ShiftTypeOutputSerializer),
        summary="Shift types in use (ATT-1)",
    )
    def get(self, request):
        return paginated_response(
            request=request, view=self, queryset=selectors.shift_type_list(), serializer_class=ShiftTypeOutputSerializer
        )


class RosterDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(allow_null=True)
    shift = serializers.CharField(allow_null=True)
    holiday = serializers.BooleanField()
    makeup_workday = serializers.BooleanField()
    calendar_unknown = serializers.BooleanField()


class RosterPageSerializer(serializers.ListSerializer):
    """One page of employees becomes their rows of the roster grid (bounded queries per page)."""

    def to_representation(self, data):
        context = self.context
        grid = selectors.roster_grid(
            user=context["request"].user,
            team=context["team"],
            date_from=context["date_from"],
            date_to=context["date_to"],
            employees=data,
        )
        rows = [
            {
                "employee_id": row["employee"].pk,
                "employee_no": row["employee"].employee_no,
                "name": row["employee"].name,
                "days": [
                    {
                        "date": day.date,
                        "kind": entry.kind if entry else None,
                        "shift": entry.shift.code if entry and entry.shift else None,
                        "holiday": day.holiday,
                        "makeup_workday": day.makeup,
                        "calendar_unknown": day.unknown,
                    }
                    for day, entry in zip(grid["days"], row["cells"], strict=True)
                ],
            }
            for row in grid["rows"]
        ]
        return super().to_representation(rows)


class RosterRowSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    days = RosterDaySerializer(many=True)

    class Meta:
        list_serializer_class = RosterPageSerializer


class RosterApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        team = ApiIdField()
        date_from = ApiDateField()
        date_to = ApiDateField()

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(RosterRowSerializer),
        summary="A team's roster, one row per employee the caller may see (paginated by employee)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        selectors.roster_range_check(data["date_from"], data["date_to"])
        team = selectors.roster_team_get(user=request.user, pk=data["team"])
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.roster_grid_employees(user=request.user, team=team),
            serializer_class=RosterRowSerializer,
            context={"team": team, "date_from": data["date_from"], "date_to": data["date_to"]},
        )


class RosterAssignResultSerializer(serializers.Serializer):
    employees = serializers.IntegerField()
    days = serializers.IntegerField()
    entries = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    kept = serializers.IntegerField()
    holidays = serializers.IntegerField()
    makeup_days = serializers.IntegerField()


class RosterAssignApi(APIView):
    permission_classes = [HasRole(*services.ROSTER_WRITE_ROLES)]

    class RosterAssignInputSerializer(serializers.Serializer):
        employees = serializers.ListField(child=ApiIdField(), required=False, max_length=services.ROSTER_MAX_EMPLOYEES)
        team = ApiIdField(required=False, help_text="Whole team (instead of employees).")
        date_from = ApiDateField()
        date_to = ApiDateField()
        pattern = serializers.DictField(
            child=ApiIdField(allow_null=True),
            help_text='Weekday "0" (Monday) .. "6" (Sunday) -> shift type id, or null / missing for a rest day.',
        )
        overwrite = serializers.BooleanField(default=False)

        def validate(self, attrs):
            if not attrs.get("employees") and not attrs.get("team"):
                raise serializers.ValidationError("Give employees or a team.")
            return attrs

    @extend_schema(
        request=RosterAssignInputSerializer, responses=RosterAssignResultSerializer, summary="Bulk roster assignment"
    )
    def post(self, request):
        serializer = self.RosterAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        employee_ids = list(data.get("employees") or [])
        if data.get("team"):
            team = selectors.roster_team_get(user=request.user, pk=data["team"])
            employee_ids += [e.pk for e in selectors.roster_grid_employees(user=request.user, team=team)]
        result = services.roster_assign(
            actor=request.user,
            employee_ids=employee_ids,
            date_from=data["date_from"],
            date_to=data["date_to"],
            pattern=data["pattern"],
            overwrite=data["overwrite"],
        )
        return Response(RosterAssignResultSerializer(result).data, status=status.HTTP_200_OK)


urlpatterns = [
    path("shift-types/", ShiftTypeListApi.as_view(), name="shift_types"),
    path("roster/", RosterApi.as_view(), name="roster"),
    path("roster/assign/", RosterAssignApi.as_view(), name="roster_assign"),
]
