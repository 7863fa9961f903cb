"""The annual plan API (TRN-1), under /api/v1/training/plans/: plans, their versions (with what
each changed and why), the items of the version in force, adding, changing and removing items (an
adjustment with its reason once the plan is in force), putting a draft in force, and the needs.

Input serializers name exactly the writable fields (mass assignment refused: never the version,
the lineage or who wrote it). Who may do what is decided by :mod:`training.selectors` and
:mod:`training.services`: readers are HR, trainers, department managers and company leaders;
writers HR and trainers."""

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiIdField, safe_id
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from training import selectors, services
from training.models import AudienceKind, DeliveryMode, NeedSource, TopicArea

READ = HasRole(*selectors.PLAN_READ_ROLES)
EDIT = HasRole(*selectors.PLAN_EDIT_ROLES)


class PlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    title = serializers.CharField()
    latest_version = serializers.IntegerField(allow_null=True)


class PlanCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200)


class PlanVersionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    published_at = serializers.DateTimeField(allow_null=True, help_text="Empty: the draft, not in force yet.")


class PlanChangeSerializer(serializers.Serializer):
    lineage = serializers.CharField()
    title = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    fields = serializers.ListField(child=serializers.ListField(), help_text="[field, old, new] triples")


class PlanHistoryOutputSerializer(serializers.Serializer):
    version = PlanVersionOutputSerializer()
    items = serializers.IntegerField()
    changes = PlanChangeSerializer(many=True)


class PlanItemOutputSerializer(serializers.Serializer):
    lineage = serializers.UUIDField(help_text="The same item across versions (TRN-1, TRN-3).")
    title = serializers.CharField()
    quarter = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    topic_area = serializers.CharField()
    delivery_mode = serializers.CharField()
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=1)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    need = serializers.CharField()
    need_source = serializers.CharField()
    course_id = serializers.IntegerField(allow_null=True)
    indicator_code = serializers.CharField()
    audience_kind = serializers.CharField()
    audience = serializers.CharField(source="audience_text", default="")
    head_count = serializers.IntegerField(default=None, allow_null=True)


class PlanItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    topic_area = serializers.ChoiceField(choices=TopicArea.choices)
    delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices)
    planned_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"))
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    need = serializers.CharField(max_length=2000)
    need_source = serializers.ChoiceField(choices=NeedSource.choices)
    course_id = ApiIdField(required=False, allow_null=True)
    indicator_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    audience_kind = serializers.ChoiceField(choices=AudienceKind.choices, default=AudienceKind.EVERYONE)
    audience_position_ids = serializers.ListField(child=ApiIdField(), required=False, default=list, max_length=500)
    audience_team_ids = serializers.ListField(child=ApiIdField(), required=False, default=list, max_length=500)
    audience_people_ids = serializers.ListField(child=ApiIdField(), required=False, default=list, max_length=5000)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required once the plan is in force: the change becomes a new version (TRN-1).",
    )


class PlanReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PlanTotalSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)


class PlanQuarterTotalSerializer(PlanTotalSerializer):
    quarter = serializers.IntegerField()


class PlanTopicTotalSerializer(PlanTotalSerializer):
    key = serializers.CharField()
    label = serializers.CharField()


class PlanDetailOutputSerializer(serializers.Serializer):
    plan = PlanOutputSerializer()
    version = PlanVersionOutputSerializer(allow_null=True)
    is_current = serializers.BooleanField()
    by_quarter = PlanQuarterTotalSerializer(many=True)
    by_topic = PlanTopicTotalSerializer(many=True)
    total = PlanTotalSerializer()


class PlanListApi(APIView):
    permission_classes = [READ]

    @extend_schema(
        parameters=PAGE_PARAMETERS, responses=paginated_schema(PlanOutputSerializer), summary="Training plans (TRN-1)"
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.plan_list(user=request.user),
            serializer_class=PlanOutputSerializer,
        )

    @extend_schema(
        request=PlanCreateSerializer,
        responses={201: PlanOutputSerializer},
        summary="Create a year's plan as a draft (TRN-1)",
    )
    def post(self, request):
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(actor=request.user, **serializer.validated_data)
        return Response(
            PlanOutputSerializer(selectors.plan_get(user=request.user, pk=plan.pk)).data, status=status.HTTP_201_CREATED
        )


class PlanDetailApi(APIView):
    permission_classes = [READ]

    @extend_schema(
        responses=PlanDetailOutputSerializer,
        summary="A plan's version in force (or ?version=N) with its totals (TRN-1)",
    )
    def get(self, request, pk: int):
        number = safe_id(request.query_params.get("version"))
        overview = selectors.plan_overview(user=request.user, plan_id=pk, version_number=number)
        return Response(PlanDetailOutputSerializer(overview).data)


class PlanPublishApi(APIView):
    permission_classes = [EDIT]

    @extend_schema(request=None, responses=PlanVersionOutputSerializer, summary="Put the draft in force (TRN-1)")
    def post(self, request, pk: int):
        version = services.plan_publish(actor=request.user, plan_id=pk)
        return Response(PlanVersionOutputSerializer(version).data)


class PlanVersionListApi(APIView):
    permission_classes = [READ]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(PlanHistoryOutputSerializer),
        summary="A plan's versions, newest first, with what each changed and why (TRN-1)",
    )
    def get(self, request, pk: int):
        history = selectors.plan_history(user=request.user, plan_id=pk)
        return paginated_response(
            request=request, view=self, queryset=history, serializer_class=PlanHistoryOutputSerializer
        )


class PlanItemListApi(APIView):
    permission_classes = [READ]

    def get_permissions(self):
        return [EDIT()] if self.request.method == "POST" else [READ()]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(PlanItemOutputSerializer),
        summary="The items of the plan's current version, with audience and head-count (TRN-1)",
    )
    def get(self, request, pk: int):
        overview = selectors.plan_overview(user=request.user, plan_id=pk)
        return paginated_response(
            request=request, view=self, queryset=overview["items"], serializer_class=PlanItemOutputSerializer
        )

    @extend_schema(
        request=PlanItemInputSerializer,
        responses={201: PlanItemOutputSerializer},
        summary="Add an item (an adjustment once in force, TRN-1)",
    )
    def post(self, request, pk: int):
        serializer = PlanItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.plan_item_add(actor=request.user, plan_id=pk, **serializer.validated_data)
        return Response(PlanItemOutputSerializer(item).data, status=status.HTTP_201_CREATED)


class PlanItemDetailApi(APIView):
    permission_classes = [READ]

    def get_permissions(self):
        return [EDIT()] if self.request.method == "PUT" else [READ()]

    @extend_schema(responses=PlanItemOutputSerializer, summary="An item of the plan's current version (TRN-1)")
    def get(self, request, pk: int, lineage):
        return Response(
            PlanItemOutputSerializer(selectors.plan_item_get(user=request.user, plan_id=pk, lineage=lineage)).data
        )

    @extend_schema(
        request=PlanItemInputSerializer,
        responses=PlanItemOutputSerializer,
        summary="Change an item (an adjustment once in force, TRN-1)",
    )
    def put(self, request, pk: int, lineage):
        serializer = PlanItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.plan_item_change(actor=request.user, plan_id=pk, lineage=lineage, **serializer.validated_data)
        return Response(PlanItemOutputSerializer(item).data)


class PlanItemRemoveApi(APIView):
    permission_classes = [EDIT]

    @extend_schema(
        request=PlanReasonInputSerializer,
        responses=PlanVersionOutputSerializer,
        summary="Remove an item (an adjustment once in force, TRN-1)",
    )
    def post(self, request, pk: int, lineage):
        serializer = PlanReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.plan_item_remove(
            actor=request.user, plan_id=pk, lineage=lineage, **serializer.validated_data
        )
        return Response(PlanVersionOutputSerializer(version).data)


class PlanIndicatorNeedSerializer(serializers.Serializer):
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    indicator_code = serializers.CharField()
    indicator = serializers.CharField()
    average = serializers.DecimalField(max_digits=6, decimal_places=2)
    people = serializers.IntegerField()


class PlanIndicatorNeedsSerializer(serializers.Serializer):
    available = serializers.BooleanField(help_text="False: the appraisal module is not installed.")
    rows = PlanIndicatorNeedSerializer(many=True)


class PlanNewHireSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    hire_date = serializers.DateField()


class PlanNewHiresSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    count = serializers.IntegerField()
    people = PlanNewHireSerializer(many=True)


class PlanPolicyNeedSerializer(serializers.Serializer):
    label = serializers.CharField()
    effective_from = serializers.DateField()
    note = serializers.CharField()


class PlanComplaintNeedSerializer(serializers.Serializer):
    cause = serializers.CharField()
    category = serializers.CharField()
    count = serializers.IntegerField()


class PlanNeedsOutputSerializer(serializers.Serializer):
    threshold = serializers.DecimalField(max_digits=5, decimal_places=2)
    since = serializers.DateField()
    indicators = PlanIndicatorNeedsSerializer()
    new_hires = PlanNewHiresSerializer()
    policies = PlanPolicyNeedSerializer(many=True)
    complaints = PlanComplaintNeedSerializer(many=True)


class NeedsApi(APIView):
    permission_classes = [EDIT]

    class PlanFilterSerializer(serializers.Serializer):
        threshold = serializers.IntegerField(
            min_value=1, max_value=100, required=False, help_text="% of the scale; default 70"
        )

    @extend_schema(
        parameters=[PlanFilterSerializer],
        responses=PlanNeedsOutputSerializer,
        summary="The training needs panel (TRN-1)",
    )
    def get(self, request):
        filters = self.PlanFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        threshold = Decimal(filters.validated_data.get("threshold", 70))
        return Response(PlanNeedsOutputSerializer(selectors.plan_needs(user=request.user, threshold=threshold)).data)


urlpatterns = [
    path("plans/", PlanListApi.as_view(), name="plan_list"),
    path("plans/needs/", NeedsApi.as_view(), name="plan_needs"),
    path("plans/<int:pk>/", PlanDetailApi.as_view(), name="plan_detail"),
    path("plans/<int:pk>/publish/", PlanPublishApi.as_view(), name="plan_publish"),
    path("plans/<int:pk>/versions/", PlanVersionListApi.as_view(), name="plan_versions"),
    path("plans/<int:pk>/items/", PlanItemListApi.as_view(), name="plan_items"),
    path("plans/<int:pk>/items/<uuid:lineage>/", PlanItemDetailApi.as_view(), name="plan_item"),
    path("plans/<int:pk>/items/<uuid:lineage>/remove/", PlanItemRemoveApi.as_view(), name="plan_item_remove"),
]
