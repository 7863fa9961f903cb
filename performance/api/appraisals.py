"""Performance API: the evaluation workflow (PRF-3), mounted at /api/v1/performance/.

- ``GET appraisals/mine/`` my appraisals; ``GET appraisals/`` the appraisals the caller may see
  (team list: month, status, team filters); ``GET appraisals/<pk>/`` one appraisal with its items,
  interview, improvement plan and the explanation of its numbers;
- ``POST appraisals/<pk>/self/`` the employee's self-evaluation (draft or submit);
  ``POST appraisals/<pk>/superior/`` the superior's evaluation; ``POST appraisals/<pk>/interview/``
  the feedback interview; ``POST appraisals/<pk>/send-back/`` HR sends back.

Input serializers carry exactly the fields the caller's side may set (no ``superior_score``,
``total_score``, ``status`` or ``evaluator`` in the self input; unknown keys are ignored), and
the services write only their side's fields (mass assignment, SECURITY.md class 4). 404 for an
appraisal the caller may not see, 403 for a side that is not theirs, 409 for a status that no
longer allows the step (locked, submitted, not ready).
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiDateField, ApiIdField, ApiMonthField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from performance import selectors, services
from performance.models import ActionStatus, AppraisalStatus, CycleStatus, FeedbackInterview

# --- Output ------------------------------------------------------------------------------------------


class AppraisalSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.DateField()
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField(source="employee.name")
    employee_no = serializers.CharField(source="employee.employee_no")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    evaluator_id = serializers.IntegerField(allow_null=True)
    evaluator_name = serializers.CharField(source="evaluator.name", allow_null=True, default=None)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    total_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    band = serializers.CharField()
    self_deadline = serializers.DateField(source="cycle.self_deadline")
    superior_deadline = serializers.DateField(source="cycle.superior_deadline")
    locked = serializers.SerializerMethodField()

    def get_locked(self, appraisal) -> bool:
        return appraisal.status == AppraisalStatus.LOCKED or appraisal.cycle.status == CycleStatus.LOCKED


class AppraisalItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    indicator_code = serializers.CharField(source="indicator.code")
    indicator_name = serializers.CharField(source="indicator.display_name")
    group = serializers.CharField()
    group_label = serializers.CharField(source="get_group_display")
    method = serializers.CharField(help_text="manual: scored by people; automatic: filled from data (PRF-1).")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    scale_max = serializers.IntegerField()
    self_score = serializers.DecimalField(
        source="visible_self_score",
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="Shown to others once the self-evaluation is submitted.",
    )
    self_comment = serializers.CharField(source="visible_self_comment")
    superior_score = serializers.DecimalField(
        source="visible_superior_score",
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="Shown to the employee once the superior has submitted.",
    )
    superior_comment = serializers.CharField(source="visible_superior_comment")
    auto_value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    auto_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    explanation = serializers.CharField(source="explanation_text")


class InterviewOutputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    strengths = serializers.CharField()
    problems = serializers.CharField()
    employee_comment = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.name")
    recorded_at = serializers.DateTimeField()


class ActionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    owner_id = serializers.IntegerField()
    owner_name = serializers.CharField(source="owner.name")
    due_on = serializers.DateField()
    status = serializers.CharField()
    review_note = serializers.CharField()
    agreed_month = serializers.DateField(source="appraisal.month")


class AccessOutputSerializer(serializers.Serializer):
    can_self = serializers.BooleanField()
    can_superior = serializers.BooleanField()
    can_interview = serializers.BooleanField()
    send_back_stages = serializers.ListField(child=serializers.CharField())
    locked = serializers.BooleanField()


class AppraisalDetailOutputSerializer(AppraisalSummaryOutputSerializer):
    """Scores and summaries of the other side show once that side has submitted."""

    self_summary = serializers.CharField(source="visible_self_summary")
    superior_summary = serializers.CharField(source="visible_superior_summary")
    self_score = serializers.DecimalField(source="visible_self_score", max_digits=5, decimal_places=2, allow_null=True)
    superior_score = serializers.DecimalField(
        source="visible_superior_score", max_digits=5, decimal_places=2, allow_null=True
    )
    auto_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    self_submitted_at = serializers.DateTimeField(allow_null=True)
    superior_submitted_at = serializers.DateTimeField(allow_null=True)
    returned_reason = serializers.CharField()
    returned_at = serializers.DateTimeField(allow_null=True)
    self_weight = serializers.IntegerField(help_text="PRF-3 weight of the self-evaluation in the cycle's policy.")
    superior_weight = serializers.IntegerField()
    items = AppraisalItemOutputSerializer(source="visible_items", many=True)
    explanation = serializers.ListField(
        source="explanation_lines", child=serializers.CharField(), help_text="How the score was reached."
    )
    interview = InterviewOutputSerializer(source="interview_or_none", allow_null=True)
    actions = ActionOutputSerializer(source="action_list", many=True, help_text="The plan agreed in this appraisal.")
    previous_open_actions = ActionOutputSerializer(many=True, help_text="Actions still open from earlier months.")
    access = AccessOutputSerializer()


def _detail(request, pk: int) -> dict:
    """The appraisal as the caller may see it (the other side's drafts blanked)."""
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    access = selectors.appraisal_access(user=request.user, appraisal=appraisal)
    groups = selectors.appraisal_item_groups(appraisal, access)
    try:
        appraisal.interview_or_none = appraisal.interview
    except FeedbackInterview.DoesNotExist:
        appraisal.interview_or_none = None
    snapshot = appraisal.cycle.policy_snapshot or {}
    appraisal.visible_items = [i for g in groups for i in g["items"]]
    appraisal.visible_self_summary = appraisal.self_summary if access.show_self else ""
    appraisal.visible_superior_summary = appraisal.superior_summary if access.show_superior else ""
    appraisal.visible_self_score = appraisal.self_score if access.show_self else None
    appraisal.visible_superior_score = appraisal.superior_score if access.show_superior else None
    appraisal.self_weight = int(snapshot.get("self_weight", 30))
    appraisal.superior_weight = int(snapshot.get("superior_weight", 70))
    show_explanation = appraisal.total_score is not None or access.show_self
    appraisal.explanation_lines = selectors.appraisal_explanation_lines(appraisal) if show_explanation else []
    appraisal.action_list = list(appraisal.actions.all())
    appraisal.previous_open_actions = selectors.open_actions_before(
        employee_id=appraisal.employee_id, month=appraisal.month
    )
    appraisal.access = access
    return AppraisalDetailOutputSerializer(appraisal).data


# --- Input ---------------------------------------------------------------------------------------------


class ItemScoreInputSerializer(serializers.Serializer):
    item_id = ApiIdField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, required=False, default=None)
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class ScoresInputSerializer(serializers.Serializer):
    """One side's scores: the same shape for self and superior; each service writes only its
    own side's fields."""

    items = ItemScoreInputSerializer(many=True, required=False, default=list)
    summary = serializers.CharField(allow_blank=True, required=False, default=None, max_length=4000)
    submit = serializers.BooleanField(required=False, default=False)

    def validate_items(self, value):
        ids = [row["item_id"] for row in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Each item at most once.")
        return value

    def service_items(self) -> dict:
        return {
            row["item_id"]: {"score": row.get("score"), "comment": row.get("comment", "")}
            for row in self.validated_data["items"]
        }


class ActionInputSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=2000)
    owner_id = ApiIdField(help_text="The employee or the superior.")
    due_on = ApiDateField()


class ReviewInputSerializer(serializers.Serializer):
    action_id = ApiIdField()
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class InterviewInputSerializer(serializers.Serializer):
    held_on = ApiDateField()
    strengths = serializers.CharField(max_length=4000)
    problems = serializers.CharField(max_length=4000)
    employee_comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)
    actions = ActionInputSerializer(many=True, required=False, default=list)
    reviews = ReviewInputSerializer(many=True, required=False, default=list)


class SendBackInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[("self", "self"), ("superior", "superior")])
    reason = serializers.CharField(max_length=4000)


class AppraisalFilterSerializer(serializers.Serializer):
    month = ApiMonthField(required=False, help_text="YYYY-MM (or any day of the month).")
    status = serializers.ChoiceField(choices=AppraisalStatus.choices, required=False)
    team = ApiIdField(required=False)
    q = serializers.CharField(required=False, max_length=50)


# --- Endpoints ------------------------------------------------------------------------------------------


class MyAppraisalListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(AppraisalSummaryOutputSerializer),
        summary="My appraisals, newest first (PRF-3)",
    )
    def get(self, request):
        mine = selectors.appraisal_mine(user=request.user, history_limit=None)
        return paginated_response(
            request=request, view=self, queryset=mine["history"], serializer_class=AppraisalSummaryOutputSerializer
        )


class AppraisalListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[AppraisalFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(AppraisalSummaryOutputSerializer),
        summary="The appraisals the caller may see: own, team, department or all (PRF-3)",
    )
    def get(self, request):
        filters = AppraisalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        appraisals = selectors.appraisal_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=appraisals, serializer_class=AppraisalSummaryOutputSerializer
        )


class AppraisalDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AppraisalDetailOutputSerializer, summary="One appraisal with its explanation (PRF-3)")
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class AppraisalSelfApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ScoresInputSerializer,
        responses=AppraisalDetailOutputSerializer,
        summary="The employee's self-evaluation: save a draft or submit (PRF-3); 409 once submitted or locked",
    )
    def post(self, request, pk: int):
        serializer = ScoresInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.appraisal_self_save(
            actor=request.user,
            appraisal_id=pk,
            items=serializer.service_items(),
            summary=serializer.validated_data["summary"],
            submit=serializer.validated_data["submit"],
        )
        return Response(_detail(request, pk))


class AppraisalSuperiorApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ScoresInputSerializer,
        responses=AppraisalDetailOutputSerializer,
        summary="The evaluating superior's scores: save a draft or submit; the combined score follows (PRF-3)",
    )
    def post(self, request, pk: int):
        serializer = ScoresInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.appraisal_superior_save(
            actor=request.user,
            appraisal_id=pk,
            items=serializer.service_items(),
            summary=serializer.validated_data["summary"],
            submit=serializer.validated_data["submit"],
        )
        return Response(_detail(request, pk))


class AppraisalInterviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=InterviewInputSerializer,
        responses={201: AppraisalDetailOutputSerializer},
        summary="Record the feedback interview and the improvement plan; completes the appraisal (PRF-3)",
    )
    def post(self, request, pk: int):
        serializer = InterviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.appraisal_interview_record(actor=request.user, appraisal_id=pk, **serializer.validated_data)
        return Response(_detail(request, pk), status=status.HTTP_201_CREATED)


class AppraisalSendBackApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=SendBackInputSerializer,
        responses=AppraisalDetailOutputSerializer,
        summary="HR sends an appraisal back to the self or the superior's evaluation with a reason (PRF-3)",
    )
    def post(self, request, pk: int):
        serializer = SendBackInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.appraisal_send_back(actor=request.user, appraisal_id=pk, **serializer.validated_data)
        return Response(_detail(request, pk))


urlpatterns = [
    path("appraisals/", AppraisalListApi.as_view(), name="appraisal_list"),
    path("appraisals/mine/", MyAppraisalListApi.as_view(), name="my_appraisals"),
    path("appraisals/<int:pk>/", AppraisalDetailApi.as_view(), name="appraisal_detail"),
    path("appraisals/<int:pk>/self/", AppraisalSelfApi.as_view(), name="appraisal_self"),
    path("appraisals/<int:pk>/superior/", AppraisalSuperiorApi.as_view(), name="appraisal_superior"),
    path("appraisals/<int:pk>/interview/", AppraisalInterviewApi.as_view(), name="appraisal_interview"),
    path("appraisals/<int:pk>/send-back/", AppraisalSendBackApi.as_view(), name="appraisal_send_back"),
]
