"""Attendance API: punch corrections (补卡, ATT-2). One class per action, plain serializers."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import selectors, services
from attendance.models import CorrectionStatus
from callcenter.inputs import ApiDateField, ApiDateTimeField
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema


class CorrectionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField(source="employee.name")
    work_date = serializers.DateField()
    requested_time = serializers.DateTimeField()
    reason = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class CorrectionListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=CorrectionStatus.values, required=False)
        mine = serializers.BooleanField(required=False, default=False)
        to_decide = serializers.BooleanField(required=False, default=False)

    class CorrectionInputSerializer(serializers.Serializer):
        # No employee field: the request is always the caller's own (mass-assignment safe).
        work_date = ApiDateField()
        requested_time = ApiDateTimeField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(CorrectionOutputSerializer),
        summary="Correction requests the caller may see (own, team, department or company)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.punch_correction_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=CorrectionOutputSerializer)

    @extend_schema(
        request=CorrectionInputSerializer, responses={201: CorrectionOutputSerializer}, summary="Request a correction"
    )
    def post(self, request):
        serializer = self.CorrectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.punch_correction_submit(actor=request.user, **serializer.validated_data)
        return Response(CorrectionOutputSerializer(correction).data, status=status.HTTP_201_CREATED)


class CorrectionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CorrectionApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=CorrectionNoteSerializer, responses=CorrectionOutputSerializer, summary="Approve (ATT-2)")
    def post(self, request, pk: int):
        serializer = CorrectionNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.punch_correction_approve(
            actor=request.user, correction_id=pk, note=serializer.validated_data["note"]
        )
        return Response(CorrectionOutputSerializer(correction).data)


class CorrectionRejectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CorrectionNoteSerializer, responses=CorrectionOutputSerializer, summary="Reject (note required)"
    )
    def post(self, request, pk: int):
        serializer = CorrectionNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.punch_correction_reject(
            actor=request.user, correction_id=pk, note=serializer.validated_data["note"]
        )
        return Response(CorrectionOutputSerializer(correction).data)


class CorrectionWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CorrectionOutputSerializer, summary="Withdraw one's own pending request")
    def post(self, request, pk: int):
        correction = services.punch_correction_withdraw(actor=request.user, correction_id=pk)
        return Response(CorrectionOutputSerializer(correction).data)


urlpatterns = [
    path("corrections/", CorrectionListApi.as_view(), name="corrections"),
    path("corrections/<int:pk>/approve/", CorrectionApproveApi.as_view(), name="correction_approve"),
    path("corrections/<int:pk>/reject/", CorrectionRejectApi.as_view(), name="correction_reject"),
    path("corrections/<int:pk>/withdraw/", CorrectionWithdrawApi.as_view(), name="correction_withdraw"),
]
