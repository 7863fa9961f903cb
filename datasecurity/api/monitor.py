"""Security monitoring API (SEC-3), for the security auditor: the summary (totals and series per
category over a period), the alerts (list, detail) and their acknowledgement."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import SecurityAlertState

_CATEGORIES = list(selectors.SECURITY_CATEGORIES)


_CATEGORY_HELP = "one of " + ", ".join(_CATEGORIES)


class SecurityTotalSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=_CATEGORY_HELP)
    label = serializers.CharField(help_text="the category in the reader's language")
    events = serializers.IntegerField()
    records = serializers.IntegerField(help_text="sensitive records read (exports' rows, contact reveals)")


class SecuritySeriesSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=_CATEGORY_HELP)
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.IntegerField(), help_text="one count per label")


class SecuritySummarySerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    category = serializers.CharField(allow_blank=True)
    granularity = serializers.ChoiceField(choices=["hour", "day"], help_text="hour for periods of up to 2 days")
    labels = serializers.ListField(child=serializers.CharField(), help_text="local hours (MM-DD HH:00) or dates")
    totals = SecurityTotalSerializer(many=True)
    series = SecuritySeriesSerializer(many=True)
    counted_up_to_event = serializers.IntegerField(help_text="the monitoring job's watermark (audit event id)")
    counted_at = serializers.DateTimeField(allow_null=True)
    events_not_counted_yet = serializers.IntegerField()


_PERIOD = [
    OpenApiParameter("since", str, description="YYYY-MM-DD, local; default 6 days before until"),
    OpenApiParameter("until", str, description="YYYY-MM-DD, local; default today; at most 366 days in all"),
    OpenApiParameter("category", str, enum=_CATEGORIES, description="one category only (the series)"),
]


class SecuritySummaryApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        parameters=_PERIOD,
        responses=SecuritySummarySerializer,
        summary="Security events per category over a period, and per hour or day (SEC-3; security auditor only)",
    )
    def get(self, request):
        filters = selectors.security_filters(request.query_params)
        summary = selectors.security_summary(user=request.user, filters=filters)
        state = selectors.security_monitor_state()
        data = {
            "since": filters.since,
            "until": filters.until,
            "category": filters.category,
            "granularity": summary["granularity"],
            "labels": summary["chart"]["labels"],
            "totals": summary["totals"],
            "series": summary["chart"]["datasets"],
            "counted_up_to_event": state["last_event_id"],
            "counted_at": state["updated_at"],
            "events_not_counted_yet": state["behind"],
        }
        return Response(SecuritySummarySerializer(data).data)


class SecurityAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    subject = serializers.CharField(source="subject.username", help_text="the user concerned")
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    count = serializers.IntegerField(help_text="sensitive records read in the hour")
    events = serializers.IntegerField()
    threshold = serializers.IntegerField(help_text="bulk_read_alert_per_hour in force (SEC-3)")
    first_event_id = serializers.IntegerField()
    last_event_id = serializers.IntegerField()
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=SecurityAlertState.choices)
    detected_at = serializers.DateTimeField()
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", allow_null=True, default=None)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()


class SecurityAlertListApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=SecurityAlertState.values, description="open or acknowledged"),
            *PAGE_PARAMETERS,
        ],
        responses=paginated_schema(SecurityAlertSerializer),
        summary="Security alerts, newest hour first (SEC-3; security auditor only)",
    )
    def get(self, request):
        alerts = selectors.security_alert_list(user=request.user, state=request.query_params.get("state", ""))
        return paginated_response(request=request, view=self, queryset=alerts, serializer_class=SecurityAlertSerializer)


class SecurityAlertDetailApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(responses=SecurityAlertSerializer, summary="One security alert (SEC-3; security auditor only)")
    def get(self, request, pk: int):
        return Response(SecurityAlertSerializer(selectors.security_alert_get(user=request.user, pk=pk)).data)


class SecurityAlertAcknowledgeInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=services.SECURITY_ALERT_NOTE_MAX, help_text="what was checked and found")


class SecurityAlertAcknowledgeApi(APIView):
    permission_classes = [HasRole(Role.SECURITY_AUDITOR)]

    @extend_schema(
        request=SecurityAlertAcknowledgeInputSerializer,
        responses=SecurityAlertSerializer,
        summary=(
            "Acknowledge an open alert with a note (SEC-3). Audited; 403 own_record for an alert about "
            "yourself, 409 alert_not_open when already acknowledged"
        ),
    )
    def post(self, request, pk: int):
        serializer = SecurityAlertAcknowledgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.security_alert_acknowledge(actor=request.user, alert_id=pk, note=serializer.validated_data["note"])
        return Response(SecurityAlertSerializer(selectors.security_alert_get(user=request.user, pk=pk)).data)


urlpatterns = [
    path("security/summary/", SecuritySummaryApi.as_view(), name="security_summary"),
    path("security/alerts/", SecurityAlertListApi.as_view(), name="security_alert_list"),
    path("security/alerts/<int:pk>/", SecurityAlertDetailApi.as_view(), name="security_alert_detail"),
    path(
        "security/alerts/<int:pk>/acknowledge/",
        SecurityAlertAcknowledgeApi.as_view(),
        name="security_alert_acknowledge",
    ),
]
