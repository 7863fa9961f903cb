"""Performance API: indicators and per-post templates (PRF-1), HR only.

Input serializers list exactly the fields HR may set (SECURITY.md class 4): an indicator's code
only on creation, never an id, timestamps or the active flag of a template (a new template
replaces the post's old one by itself). Unknown keys are ignored. The services check the rules
(weights sum to exactly 100, no duplicate, active indicators only) and explain refusals as
``{detail, code}``.
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiIdField, safe_id
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from performance import selectors, services
from performance.models import AutoSource, IndicatorGroup, ScoringMethod

HR = HasRole(*services.SETUP_ROLES)


# --- Indicators ------------------------------------------------------------------------------------


class IndicatorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    description_en = serializers.CharField()
    group = serializers.CharField()
    group_label = serializers.CharField(source="get_group_display")
    method = serializers.CharField()
    method_label = serializers.CharField(source="get_method_display")
    scale_max = serializers.IntegerField()
    auto_source = serializers.CharField()
    target = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class IndicatorUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    group = serializers.ChoiceField(choices=IndicatorGroup.choices)
    method = serializers.ChoiceField(choices=ScoringMethod.choices)
    scale_max = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    auto_source = serializers.ChoiceField(choices=AutoSource.choices, required=False, allow_blank=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class IndicatorCreateInputSerializer(IndicatorUpdateInputSerializer):
    code = serializers.CharField(max_length=40)


class IndicatorListApi(APIView):
    """GET: every indicator (filters ``group``, ``method``, ``active``); POST: create one."""

    permission_classes = [HR]

    @extend_schema(
        parameters=[
            OpenApiParameter("group", str, enum=IndicatorGroup.values),
            OpenApiParameter("method", str, enum=ScoringMethod.values),
            OpenApiParameter("active", bool),
            *PAGE_PARAMETERS,
        ],
        responses=paginated_schema(IndicatorOutputSerializer),
    )
    def get(self, request):
        active = request.query_params.get("active")
        filters = {
            "group": request.query_params.get("group")
            if request.query_params.get("group") in IndicatorGroup.values
            else None,
            "method": request.query_params.get("method")
            if request.query_params.get("method") in ScoringMethod.values
            else None,
            "active": {"true": True, "1": True, "false": False, "0": False}.get((active or "").lower()),
        }
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.indicator_list(filters=filters),
            serializer_class=IndicatorOutputSerializer,
        )

    @extend_schema(request=IndicatorCreateInputSerializer, responses={201: IndicatorOutputSerializer})
    def post(self, request):
        data = IndicatorCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_create(actor=request.user, **data.validated_data)
        return Response(IndicatorOutputSerializer(indicator).data, status=status.HTTP_201_CREATED)


class IndicatorDetailApi(APIView):
    """GET one indicator; PATCH its names, group, scoring, scale, source, target or active flag
    (the code is fixed: a ``code`` key is ignored)."""

    permission_classes = [HR]

    @extend_schema(responses=IndicatorOutputSerializer)
    def get(self, request, pk: int):
        return Response(IndicatorOutputSerializer(selectors.indicator_get(pk=pk)).data)

    @extend_schema(request=IndicatorUpdateInputSerializer, responses=IndicatorOutputSerializer)
    def patch(self, request, pk: int):
        data = IndicatorUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_update(actor=request.user, indicator_id=pk, **data.validated_data)
        return Response(IndicatorOutputSerializer(indicator).data)


# --- Templates -----------------------------------------------------------------------------------


class TemplateItemOutputSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.display_name")
    group = serializers.CharField(source="indicator.group")
    method = serializers.CharField(source="indicator.method")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    order = serializers.IntegerField()


class TemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position_id = serializers.IntegerField()
    position_code = serializers.CharField(source="position.code")
    position_name = serializers.CharField(source="position.name")
    name = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    items = TemplateItemOutputSerializer(many=True, source="items.all")
    weight_sum = serializers.SerializerMethodField()
    weight_by_group = serializers.SerializerMethodField()

    def get_weight_sum(self, template) -> str:
        return str(selectors.template_summary(template).total)

    def get_weight_by_group(self, template) -> dict[str, str]:
        return {group: str(weight) for group, _label, weight in selectors.template_summary(template).groups}


class TemplateItemInputSerializer(serializers.Serializer):
    indicator = ApiIdField(help_text="Indicator id.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent; all weights sum to 100.")


class TemplateUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    items = TemplateItemInputSerializer(many=True, allow_empty=True, max_length=services.TEMPLATE_ITEMS_MAX)


class TemplateCreateInputSerializer(TemplateUpdateInputSerializer):
    position = ApiIdField(help_text="Position (岗位) id.")


class TemplateListApi(APIView):
    """GET: templates with items and the weight split (filters ``position``, ``active``);
    POST: a new template for a post — it becomes the post's active template and replaces the
    old one."""

    permission_classes = [HR]

    @extend_schema(
        parameters=[OpenApiParameter("position", int), OpenApiParameter("active", bool), *PAGE_PARAMETERS],
        responses=paginated_schema(TemplateOutputSerializer),
    )
    def get(self, request):
        active = (request.query_params.get("active") or "").lower()
        position = safe_id(request.query_params.get("position"))  # an unusable one is ignored
        filters = {"position": position, "active": {"true": True, "1": True, "false": False, "0": False}.get(active)}
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.appraisal_template_list(filters=filters),
            serializer_class=TemplateOutputSerializer,
        )

    @extend_schema(request=TemplateCreateInputSerializer, responses={201: TemplateOutputSerializer})
    def post(self, request):
        data = TemplateCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.appraisal_template_create(
            actor=request.user,
            position_id=data.validated_data["position"],
            name=data.validated_data.get("name", ""),
            items=data.validated_data["items"],
        )
        template = selectors.appraisal_template_get(pk=template.pk)
        return Response(TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailApi(APIView):
    """GET one template; PUT replaces its name and items (active templates only)."""

    permission_classes = [HR]

    @extend_schema(responses=TemplateOutputSerializer)
    def get(self, request, pk: int):
        return Response(TemplateOutputSerializer(selectors.appraisal_template_get(pk=pk)).data)

    @extend_schema(request=TemplateUpdateInputSerializer, responses=TemplateOutputSerializer)
    def put(self, request, pk: int):
        data = TemplateUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.appraisal_template_update(
            actor=request.user,
            template_id=pk,
            name=data.validated_data.get("name"),
            items=data.validated_data["items"],
        )
        return Response(TemplateOutputSerializer(selectors.appraisal_template_get(pk=pk)).data)


urlpatterns = [
    path("setup/indicators/", IndicatorListApi.as_view(), name="indicator_list"),
    path("setup/indicators/<int:pk>/", IndicatorDetailApi.as_view(), name="indicator_detail"),
    path("setup/templates/", TemplateListApi.as_view(), name="template_list"),
    path("setup/templates/<int:pk>/", TemplateDetailApi.as_view(), name="template_detail"),
]
