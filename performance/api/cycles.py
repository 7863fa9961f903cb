"""Performance API: the monthly cycles (PRF-2), mounted at /api/v1/performance/.

- ``GET cycles/`` every cycle with its progress; ``GET cycles/<pk>/`` one cycle with progress,
  bands per team with the average score, employees without a template or an evaluator;
  ``GET cycles/<pk>/missing/`` the appraisals still waiting (``stage``, ``department``, ``team``);
- ``POST cycles/open/`` ``{"month": "2025-05"}``; ``POST cycles/<pk>/refresh/``;
  ``POST cycles/<pk>/remind/``; ``POST cycles/<pk>/lock/`` ``{"force": false}`` — HR only.

Readers: HR, company leaders, department managers (figures over the appraisals in their remit).
Errors: 403 for a role that may not act, 404 for an unknown cycle, 409 for a state that refuses
(locked, still opening, unfinished appraisals without ``force`` — with the counts per stage).
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiIdField, ApiMonthField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from performance import selectors, services
from performance.models import AppraisalStatus

READERS = (Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER)


# --- Output ----------------------------------------------------------------------------------------


class ProgressOutputSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Appraisals in the cycle the caller may see.")
    expected = serializers.IntegerField(help_text="Employees with a template employed at month end.")
    done = serializers.IntegerField(help_text="Completed or locked.")
    done_percent = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Waiting for the self-evaluation, the superior or the interview.")
    by_status = serializers.DictField(child=serializers.IntegerField())


class CycleListOutputSerializer(serializers.ListSerializer):
    """A page of cycles: their progress over what the caller may see, counted once for the page."""

    def to_representation(self, data):
        cycles = list(data.all() if hasattr(data, "all") else data)
        if "progress" not in self.context:
            self.context["progress"] = selectors.appraisal_cycle_list_progress(
                user=self.context["request"].user, cycles=cycles
            )
        return super().to_representation(cycles)


class CycleOutputSerializer(serializers.Serializer):
    """One cycle; ``context["progress"]`` ({cycle id: progress}) or the request's user to count it."""

    class Meta:
        list_serializer_class = CycleListOutputSerializer

    id = serializers.IntegerField()
    month = serializers.DateField()
    status = serializers.CharField(help_text="opening, open or locked (PRF-2).")
    status_label = serializers.CharField(source="get_status_display")
    self_deadline = serializers.DateField()
    superior_deadline = serializers.DateField()
    employees_expected = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    opened_by = serializers.CharField(source="opened_by.username", allow_null=True, default=None)
    locked_at = serializers.DateTimeField(allow_null=True)
    locked_by = serializers.CharField(source="locked_by.username", allow_null=True, default=None)
    self_weight = serializers.SerializerMethodField()
    superior_weight = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    def get_self_weight(self, cycle) -> int | None:
        value = (cycle.policy_snapshot or {}).get("self_weight")
        return None if value is None else int(value)

    def get_superior_weight(self, cycle) -> int | None:
        value = (cycle.policy_snapshot or {}).get("superior_weight")
        return None if value is None else int(value)

    @extend_schema_field(ProgressOutputSerializer)
    def get_progress(self, cycle) -> dict:
        if "progress" not in self.context:
            self.context["progress"] = selectors.appraisal_cycle_list_progress(
                user=self.context["request"].user, cycles=[cycle]
            )
        progress = self.context["progress"].get(cycle.pk)
        return ProgressOutputSerializer(progress.as_dict()).data if progress else None


class DistributionRowOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    bands = serializers.DictField(child=serializers.IntegerField(), help_text='A–E, and "-" for not scored yet.')
    appraisals = serializers.IntegerField(source="n")
    average = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class GapEmployeeOutputSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="pk")
    employee_no = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField(source="position.name")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    template_now = serializers.BooleanField(help_text="True: a template was added since; a refresh opens theirs.")


class WaitingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    evaluator_id = serializers.IntegerField(allow_null=True)
    evaluator_name = serializers.CharField(source="evaluator.name", allow_null=True, default=None)
    department_manager_name = serializers.CharField(
        source="department.manager.name",
        allow_null=True,
        default=None,
        help_text="Evaluates when there is no evaluator (PRF-3).",
    )


class CycleDetailOutputSerializer(CycleOutputSerializer):
    group_by = serializers.CharField(help_text="team, or department when there are too many teams for one chart.")
    distribution = DistributionRowOutputSerializer(many=True)
    without_template_count = serializers.IntegerField()
    without_template = GapEmployeeOutputSerializer(many=True, help_text="The first 50.")
    without_evaluator_count = serializers.IntegerField()
    without_evaluator = WaitingOutputSerializer(many=True, help_text="The first 50.")


class CycleOpenOutputSerializer(serializers.Serializer):
    cycle = CycleOutputSerializer()
    created = serializers.IntegerField(help_text="Appraisals created by this call (0 on a rerun).")


class CycleRefreshOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    items_changed = serializers.IntegerField()
    appraisals_changed = serializers.IntegerField()


class CycleRemindOutputSerializer(serializers.Serializer):
    sent = serializers.IntegerField()


# --- Input -------------------------------------------------------------------------------------------


class CycleOpenInputSerializer(serializers.Serializer):
    month = ApiMonthField(help_text="YYYY-MM (or any day of it).")
    confirm_overdue = serializers.BooleanField(
        default=False,
        help_text=(
            "PRF-2: a month whose self-evaluation deadline has passed is opened only with true (its appraisals "
            "are overdue at once); without it, 400 overdue_unconfirmed says how many."
        ),
    )


class CycleLockInputSerializer(serializers.Serializer):
    force = serializers.BooleanField(
        default=False, help_text="Lock unfinished appraisals as they are (they earn band E, PRF-4)."
    )


class CycleMissingFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=[AppraisalStatus.SELF, AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW], required=False
    )
    department = ApiIdField(required=False)
    team = ApiIdField(required=False)


# --- Endpoints ---------------------------------------------------------------------------------------


def _cycle_data(request, cycle) -> dict:
    return CycleOutputSerializer(cycle, context={"request": request}).data


class CycleListApi(APIView):
    permission_classes = [HasRole(*READERS)]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(CycleOutputSerializer),
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.appraisal_cycle_list(user=request.user),
            serializer_class=CycleOutputSerializer,
        )


class CycleDetailApi(APIView):
    permission_classes = [HasRole(*READERS)]

    @extend_schema(responses=CycleDetailOutputSerializer)
    def get(self, request, pk: int):
        cycle = selectors.appraisal_cycle_get(user=request.user, pk=pk)
        review = selectors.appraisal_cycle_review(user=request.user, cycle=cycle)
        distribution = review["distribution"]
        data = {
            **_cycle_data(request, cycle),
            "group_by": distribution["group_by"],
            "distribution": DistributionRowOutputSerializer(distribution["rows"], many=True).data,
            "without_template_count": review["without_template"][0],
            "without_template": GapEmployeeOutputSerializer(review["without_template"][1], many=True).data,
            "without_evaluator_count": review["without_evaluator"][0],
            "without_evaluator": WaitingOutputSerializer(review["without_evaluator"][1], many=True).data,
        }
        return Response(data)


class CycleMissingApi(APIView):
    permission_classes = [HasRole(*READERS)]

    @extend_schema(
        parameters=[CycleMissingFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(WaitingOutputSerializer),
    )
    def get(self, request, pk: int):
        filters = CycleMissingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cycle = selectors.appraisal_cycle_get(user=request.user, pk=pk)
        review = selectors.appraisal_cycle_review(user=request.user, cycle=cycle, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=review["missing"], serializer_class=WaitingOutputSerializer
        )


class CycleOpenApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(request=CycleOpenInputSerializer, responses=CycleOpenOutputSerializer)
    def post(self, request):
        data = CycleOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle, created = services.appraisal_cycle_open(
            month=data.validated_data["month"],
            actor=request.user,
            overdue_confirmed=data.validated_data["confirm_overdue"],
        )
        return Response({"cycle": _cycle_data(request, cycle), "created": created})


class CycleRefreshApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(request=None, responses=CycleRefreshOutputSerializer)
    def post(self, request, pk: int):
        counts = services.appraisal_cycle_refresh_auto(actor=request.user, cycle_id=pk)
        return Response(CycleRefreshOutputSerializer(counts).data)


class CycleRemindApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(request=None, responses=CycleRemindOutputSerializer)
    def post(self, request, pk: int):
        sent = services.appraisal_cycle_remind(actor=request.user, cycle_id=pk)
        return Response({"sent": sent})


class CycleLockApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(request=CycleLockInputSerializer, responses=CycleOutputSerializer)
    def post(self, request, pk: int):
        data = CycleLockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = services.appraisal_cycle_lock(actor=request.user, cycle_id=pk, force=data.validated_data["force"])
        return Response(_cycle_data(request, cycle))


urlpatterns = [
    path("cycles/", CycleListApi.as_view(), name="cycle_list"),
    path("cycles/open/", CycleOpenApi.as_view(), name="cycle_open"),
    path("cycles/<int:pk>/", CycleDetailApi.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/missing/", CycleMissingApi.as_view(), name="cycle_missing"),
    path("cycles/<int:pk>/refresh/", CycleRefreshApi.as_view(), name="cycle_refresh"),
    path("cycles/<int:pk>/remind/", CycleRemindApi.as_view(), name="cycle_remind"),
    path("cycles/<int:pk>/lock/", CycleLockApi.as_view(), name="cycle_lock"),
]
