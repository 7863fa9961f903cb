"""Complaint statistics API (CMP-4), mounted at /api/v1/complaints/statistics/: the same numbers
as the statistics page, over the complaints the caller may see."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.permissions import HasRole
from complaints.models import Channel
from complaints.selectors import STATS_ROLES, complaint_statistics


class _CountSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, allow_blank=True)
    label = serializers.CharField()
    count = serializers.IntegerField()


class _MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    count = serializers.IntegerField()
    closed = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True)
    calls = serializers.IntegerField(allow_null=True, help_text="Calls answered that month; null when none imported.")
    rate = serializers.FloatField(allow_null=True, help_text="Complaints per 1,000 calls (CMP-4).")


class _TeamCountSerializer(_CountSerializer):
    calls = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True, help_text="Complaints per 1,000 calls (CMP-4).")


class _ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    count = serializers.IntegerField()


class _SatisfactionSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    distribution = _ScoreSerializer(many=True)


class _FiltersSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    channel = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    team = serializers.IntegerField(required=False)


class StatisticsOutputSerializer(serializers.Serializer):
    filters = _FiltersSerializer()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    urgent = serializers.IntegerField()
    reopened = serializers.IntegerField()
    escalated = serializers.IntegerField()
    by_channel = _CountSerializer(many=True)
    by_category = _CountSerializer(many=True)
    by_cause = _CountSerializer(many=True)
    by_team = _TeamCountSerializer(many=True)
    by_agent = _CountSerializer(many=True)
    by_month = _MonthSerializer(many=True)
    responded = serializers.IntegerField()
    resolved = serializers.IntegerField()
    avg_first_response_hours = serializers.FloatField(allow_null=True)
    avg_resolution_hours = serializers.FloatField(allow_null=True)
    first_response_late = serializers.IntegerField()
    resolution_late = serializers.IntegerField()
    satisfaction = _SatisfactionSerializer()
    calls = serializers.IntegerField(
        allow_null=True, help_text="Calls answered in the range (telephony metrics import); null when none."
    )
    complaint_rate_per_1000_calls = serializers.FloatField(
        allow_null=True, help_text="CMP-4: complaints per 1,000 calls answered; null without imported calls."
    )
    complaint_rate_note = serializers.CharField()


class ComplaintStatisticsApi(APIView):
    permission_classes = [HasRole(*STATS_ROLES)]

    class FilterSerializer(serializers.Serializer):
        date_from = ApiDateField(required=False, help_text="Default: the first day 11 months back.")
        date_to = ApiDateField(required=False, help_text="Default: today.")
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        category = serializers.CharField(required=False, max_length=30, help_text="Category code")
        team = ApiIdField(required=False, help_text="Team concerned (id)")

    @extend_schema(
        parameters=[FilterSerializer],
        responses=StatisticsOutputSerializer,
        summary="Complaint statistics (CMP-4) over the complaints the caller may see",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        stats = complaint_statistics(user=request.user, filters=filters.validated_data)
        return Response(StatisticsOutputSerializer(stats).data)


urlpatterns = [
    path("statistics/", ComplaintStatisticsApi.as_view(), name="statistics"),
]
