"""Attendance API: shift types and the roster (ATT-1). One class per endpoint, plain serializers."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from attendance.errors import AttendanceErrorCode
from attendance.models import ShiftType
from callcenter.errors import ApplicationError
from callcenter.models import EmploymentStatus
from callcenter.permissions import HasRole
from callcenter.rest import Pagination


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

    @extend_schema(responses=ShiftTypeOutputSerializer(many=True), summary="Shift types in use (ATT-1)")
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.shift_type_list(), request, view=self)
        return paginator.get_paginated_response(ShiftTypeOutputSerializer(page, many=True).data)


class RosterDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField(allow_null=True)
    shift = serializers.CharField(allow_null=True)
    holiday = serializers.BooleanField()
    makeup_workday = serializers.BooleanField()
    calendar_unknown = serializers.BooleanField()


class RosterRowSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    days = RosterDaySerializer(many=True)


class RosterApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        team = serializers.IntegerField(min_value=1)
        date_from = serializers.DateField()
        date_to = serializers.DateField()

    @extend_schema(
        parameters=[FilterSerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=RosterRowSerializer(many=True),
        summary="A team's roster, one row per employee the caller may see (paginated by employee)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        selectors.roster_range_check(data["date_from"], data["date_to"])
        team = selectors.roster_team_get(user=request.user, pk=data["team"])
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.roster_grid_employees(user=request.user, team=team), request, view=self
        )
        grid = selectors.roster_grid(
            user=request.user, team=team, date_from=data["date_from"], date_to=data["date_to"], employees=page
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
        return paginator.get_paginated_response(RosterRowSerializer(rows, many=True).data)


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
        employees = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, max_length=services.ROSTER_MAX_EMPLOYEES
        )
        team = serializers.IntegerField(min_value=1, required=False, help_text="Whole team (instead of employees).")
        date_from = serializers.DateField()
        date_to = serializers.DateField()
        pattern = serializers.DictField(
            child=serializers.IntegerField(min_value=1, allow_null=True),
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
        shift_ids = {v for v in data["pattern"].values() if v is not None}
        shifts = {s.pk: s for s in ShiftType.objects.filter(pk__in=shift_ids)}
        if len(shifts) != len(shift_ids):
            raise ApplicationError(_("Unknown shift type."), code=AttendanceErrorCode.PATTERN_INVALID)
        pattern = {key: (shifts[v] if v is not None else None) for key, v in data["pattern"].items()}
        employees = list(data.get("employees") or [])
        if data.get("team"):
            team = selectors.roster_team_get(user=request.user, pk=data["team"])
            employees += list(team.members.filter(status=EmploymentStatus.ACTIVE).values_list("pk", flat=True))
        result = services.roster_assign(
            actor=request.user,
            employees=employees,
            date_from=data["date_from"],
            date_to=data["date_to"],
            pattern=pattern,
            overwrite=data["overwrite"],
        )
        return Response(RosterAssignResultSerializer(result).data, status=status.HTTP_200_OK)


urlpatterns = [
    path("shift-types/", ShiftTypeListApi.as_view(), name="shift_types"),
    path("roster/", RosterApi.as_view(), name="roster"),
    path("roster/assign/", RosterAssignApi.as_view(), name="roster_assign"),
]
