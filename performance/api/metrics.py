"""Performance API: call-center metrics (PRF-1 work results).

- ``POST metrics/imports/`` — the telephony/ACD system or an HR tool pushes
  ``{"rows": [{employee_no, date, calls_answered, calls_resolved, avg_handle_seconds,
  qa_accuracy?}, ...]}`` as a user with the HR role (session or ``Authorization: Token ...``).
  The same checks as the CSV upload; all or nothing: a 400 ``{detail, code: "rows_invalid",
  error_count, errors: [{row, column, message}]}`` (first 100, rows numbered from 1) and nothing
  written. A body is at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB: about 17,000 rows, three
  days of 5,000 agents); larger pushes get a 413 ``body_too_large`` — push day by day, or upload
  the month as a CSV file (10 MB). Re-pushed days replace the stored ones. Any other key of the body (``imported_by``,
  ``id``, ``source``...) is ignored: the importer is the caller.
- ``GET metrics/imports/`` and ``GET metrics/imports/<id>/`` — the accepted imports (HR).
- ``GET metrics/month/?month=YYYY-MM&team=<id>`` — totals per agent for the month, for whoever
  may see them (agent: own; supervisor: team; manager: department; HR: everyone).
"""

from django.conf import settings
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.errors import ApplicationError
from callcenter.inputs import ApiDateField, ApiIdField, ApiMonthField, JSONParser
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.selectors import Scope, user_scope
from performance import rules, selectors, services
from performance.errors import PerformanceErrorCode

HR = HasRole(*services.METRIC_IMPORT_ROLES)


class MetricImportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    filename = serializers.CharField()
    checksum = serializers.CharField(help_text="SHA-256 of the file (CSV) or of the rows as received (API).")
    imported_by = serializers.CharField(source="imported_by.username")
    imported_at = serializers.DateTimeField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Employee-days that were new.")
    replaced = serializers.IntegerField(help_text="Employee-days that replaced earlier figures.")
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)


class MetricRowInputSerializer(serializers.Serializer):
    """Documentation of one row; the rows are checked by the service (the CSV rules)."""

    employee_no = serializers.CharField()
    date = ApiDateField()
    calls_answered = serializers.IntegerField(min_value=0)
    calls_resolved = serializers.IntegerField(min_value=0, help_text="At most calls_answered.")
    avg_handle_seconds = serializers.IntegerField(min_value=0)
    qa_accuracy = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class MetricPushInputSerializer(serializers.Serializer):
    # Each row is checked by performance.rules.clean_rows (one rule for CSV and API, every
    # error with its row number); here only the envelope: a list of objects, not too long.
    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=rules.MAX_ROWS)


class MetricPushDocSerializer(serializers.Serializer):
    """What the push looks like (for the schema)."""

    rows = MetricRowInputSerializer(many=True)


class MetricImportListApi(APIView):
    permission_classes = [HR]
    parser_classes = [JSONParser]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(MetricImportOutputSerializer),
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.metric_import_list(user=request.user),
            serializer_class=MetricImportOutputSerializer,
        )

    @extend_schema(
        request=MetricPushDocSerializer,
        responses={
            201: MetricImportOutputSerializer,
            413: OpenApiResponse(description="The body is larger than the server accepts (`body_too_large`)."),
        },
    )
    def post(self, request):
        # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default, about 17,000
        # rows) with a bare 400 page; say it in JSON, with what to do (resource consumption, API4).
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise ApplicationError(
                _("The request is %(size)s MB; at most %(limit)s MB per push. Push a day or a few days at a time.")
                % {"size": f"{length / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.1f}"},
                code=PerformanceErrorCode.BODY_TOO_LARGE,
                status=413,
            )
        data = MetricPushInputSerializer(data=request.data)
        if not data.is_valid():
            raise ApplicationError(
                _('Send {"rows": [...]}: a list of at most %(limit)s objects.') % {"limit": rules.MAX_ROWS},
                code=PerformanceErrorCode.ROWS_INVALID_SHAPE,
                extra={"errors": data.errors},
            )
        record = services.metric_import_push(actor=request.user, rows=data.validated_data["rows"])
        return Response(MetricImportOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class MetricImportDetailApi(APIView):
    permission_classes = [HR]

    @extend_schema(responses=MetricImportOutputSerializer)
    def get(self, request, pk: int):
        return Response(MetricImportOutputSerializer(selectors.metric_import_get(user=request.user, pk=pk)).data)


class MetricMonthRowOutputSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    team_id = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField()
    days = serializers.IntegerField(source="totals.days")
    calls_answered = serializers.IntegerField(source="totals.calls_answered")
    calls_resolved = serializers.IntegerField(source="totals.calls_resolved")
    resolution_rate = serializers.DecimalField(
        source="totals.resolution_rate", max_digits=6, decimal_places=2, allow_null=True
    )
    avg_handle_seconds = serializers.DecimalField(
        source="totals.avg_handle_seconds",
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Call-weighted average of the month.",
    )
    qa_accuracy = serializers.DecimalField(source="totals.qa_accuracy", max_digits=6, decimal_places=2, allow_null=True)


class MetricMonthApi(APIView):
    """The month's totals per agent the caller may see (paginated)."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        month = ApiMonthField(required=False, help_text="YYYY-MM (default: this month)")
        team = ApiIdField(required=False)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(MetricMonthRowOutputSerializer),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        month = filters.validated_data.get("month") or timezone.localdate().replace(day=1)
        team_id = filters.validated_data.get("team")
        if team_id is not None and user_scope(request.user) < Scope.TEAM:
            team_id = None
        data = selectors.metric_month(user=request.user, month=month, team_id=team_id)
        return paginated_response(
            request=request, view=self, queryset=data.rows, serializer_class=MetricMonthRowOutputSerializer
        )


urlpatterns = [
    path("metrics/imports/", MetricImportListApi.as_view(), name="metric_import_list"),
    path("metrics/imports/<int:pk>/", MetricImportDetailApi.as_view(), name="metric_import_detail"),
    path("metrics/month/", MetricMonthApi.as_view(), name="metric_month"),
]
