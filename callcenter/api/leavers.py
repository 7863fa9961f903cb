"""Leavers (GEN-2, COC-8): the exit checklists of the caller's remit, ticking and unticking an
item, setting and cancelling a leaving (HR). Thin: the selectors decide visibility, the services
decide everything else. Input serializers name only what the caller chooses (mass-assignment
safe: the employee comes from the URL, the actor from the session or token)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.inputs import ApiDateField
from callcenter.models import LeaveReason
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role


class ExitItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    owner_role = serializers.CharField()
    done = serializers.BooleanField(source="is_done")
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(source="done_by.username", allow_null=True, default=None)
    note = serializers.CharField()


class ExitChecklistOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    name = serializers.CharField(source="employee.name")
    team = serializers.CharField(source="employee.team.name", allow_null=True, default=None)
    last_working_day = serializers.DateField()
    reason = serializers.CharField()
    status = serializers.CharField()
    left_at = serializers.DateTimeField(allow_null=True)
    items = ExitItemOutputSerializer(many=True, source="items.all")


class ExitChecklistListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=["scheduled", "left", "cancelled", "all"], required=False)
        q = serializers.CharField(required=False, max_length=100)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(ExitChecklistOutputSerializer),
        summary="Exit checklists of the leavers the caller may see (GEN-2); upcoming ones by default",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        checklists = selectors.exit_checklist_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=checklists, serializer_class=ExitChecklistOutputSerializer
        )


class ExitChecklistDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ExitChecklistOutputSerializer, summary="One exit checklist (404 when not visible)")
    def get(self, request, pk: int):
        checklist = selectors.exit_checklist_get(user=request.user, pk=pk)
        return Response(ExitChecklistOutputSerializer(checklist).data)


class ExitItemTickApi(APIView):
    permission_classes = [IsAuthenticated]

    class ExitItemTickInputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(
        request=ExitItemTickInputSerializer,
        responses=ExitItemOutputSerializer,
        summary="Tick an exit checklist item (its owner only, never the leaver; COC-8, ATT-5 preconditions)",
    )
    def post(self, request, pk: int):
        serializer = self.ExitItemTickInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.exit_item_tick(actor=request.user, item_id=pk, note=serializer.validated_data["note"])
        return Response(ExitItemOutputSerializer(item).data)


class ExitItemUntickApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ExitItemOutputSerializer, summary="Untick an item until the person has left")
    def post(self, request, pk: int):
        item = services.exit_item_untick(actor=request.user, item_id=pk)
        return Response(ExitItemOutputSerializer(item).data)


class LeaveScheduleApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    class LeaveScheduleInputSerializer(serializers.Serializer):
        last_working_day = ApiDateField()
        reason = serializers.ChoiceField(choices=LeaveReason.choices)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=LeaveScheduleInputSerializer,
        responses={201: ExitChecklistOutputSerializer},
        summary="Set an employee's last working day and reason (HR; GEN-2): opens the exit checklist",
    )
    def post(self, request, pk: int):
        serializer = self.LeaveScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checklist = services.employee_leave_schedule(actor=request.user, employee_id=pk, **serializer.validated_data)
        checklist = selectors.exit_checklist_get(user=request.user, pk=checklist.pk)
        return Response(ExitChecklistOutputSerializer(checklist).data, status=status.HTTP_201_CREATED)


class LeaveCancelApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=None, responses=ExitChecklistOutputSerializer, summary="Cancel a leaving not yet carried out (HR)"
    )
    def post(self, request, pk: int):
        services.employee_leave_cancel(actor=request.user, checklist_id=pk)
        checklist = selectors.exit_checklist_get(user=request.user, pk=pk)
        return Response(ExitChecklistOutputSerializer(checklist).data)


urlpatterns = [
    path("leavers/", ExitChecklistListApi.as_view(), name="exit_checklist_list"),
    path("leavers/<int:pk>/", ExitChecklistDetailApi.as_view(), name="exit_checklist_detail"),
    path("leavers/<int:pk>/cancel/", LeaveCancelApi.as_view(), name="leave_cancel"),
    path("leavers/items/<int:pk>/tick/", ExitItemTickApi.as_view(), name="exit_item_tick"),
    path("leavers/items/<int:pk>/untick/", ExitItemUntickApi.as_view(), name="exit_item_untick"),
    path("employees/<int:pk>/leave/", LeaveScheduleApi.as_view(), name="leave_schedule"),
]
