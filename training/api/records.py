"""Training API: records, certificates and compliance (TRN-3). One class per action, plain
serializers; the selectors decide visibility; HR's entry names its writable fields."""

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import file_response
from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, Pagination, paginated_response, paginated_schema
from callcenter.roles import Role
from callcenter.selectors import employee_of
from training import selectors, services
from training.models import RecordResult, TopicArea


class RecordOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    completed_on = serializers.DateField()
    course_code = serializers.CharField(source="course.code")
    course_title = serializers.CharField(source="course.title")
    topic_area = serializers.CharField(source="course.topic_area")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    result = serializers.CharField()
    attempts = serializers.IntegerField()
    source = serializers.CharField()
    certificate_no = serializers.CharField(allow_null=True)


class RecordFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    topic = serializers.ChoiceField(choices=TopicArea.values, required=False)
    result = serializers.ChoiceField(choices=RecordResult.values, required=False)
    team = ApiIdField(required=False)
    employee = ApiIdField(required=False)
    q = serializers.CharField(max_length=100, required=False)


class ExternalRecordInputSerializer(serializers.Serializer):
    # The writable fields, named: nothing else (source, certificate, recorded_by) can be set.
    employee_id = ApiIdField()
    course_id = ApiIdField()
    completed_on = ApiDateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"), max_value=Decimal("999"))
    score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        allow_null=True,
    )
    result = serializers.ChoiceField(choices=[RecordResult.PASSED, RecordResult.FAILED, RecordResult.ATTENDED])


class RecordListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[RecordFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(RecordOutputSerializer),
        summary="Training records the caller may see (own, team, department or company; TRN-3)",
    )
    def get(self, request):
        filters = RecordFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.training_record_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=RecordOutputSerializer)


class RecordExternalApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=ExternalRecordInputSerializer,
        responses={201: RecordOutputSerializer},
        summary="HR enters an external course (TRN-3; never on their own record)",
    )
    def post(self, request):
        serializer = ExternalRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.training_record_external_create(actor=request.user, **serializer.validated_data)
        return Response(RecordOutputSerializer(record).data, status=status.HTTP_201_CREATED)


class RecordDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RecordOutputSerializer, summary="One training record (404 when not visible)")
    def get(self, request, pk: int):
        return Response(RecordOutputSerializer(selectors.training_record_get(user=request.user, pk=pk)).data)


class CertificateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(description="The certificate of completion (PDF)")},
        summary="Certificate of completion of a passed record (owner, reporting line, HR; audited)",
    )
    def get(self, request, pk: int):
        return file_response(services.training_certificate_export(actor=request.user, record_id=pk))


class ComplianceRowSerializer(serializers.Serializer):
    team_id = serializers.IntegerField(source="team.pk")
    team = serializers.CharField(source="team.name")
    department = serializers.CharField(source="team.department.name")
    people = serializers.IntegerField()
    done = serializers.IntegerField()
    due = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class ComplianceReportApi(APIView):
    permission_classes = [HasRole(*selectors.COMPLIANCE_REPORT_ROLES)]

    @extend_schema(
        parameters=[*PAGE_PARAMETERS],
        responses=paginated_schema(ComplianceRowSerializer),
        summary="Mandatory-course compliance per team (TRN-3): done, due, overdue, % compliant",
    )
    def get(self, request):
        teams = selectors.compliance_teams(user=request.user)
        pager = Pagination()
        page = pager.paginate_queryset(teams, request, view=self)
        rows = selectors.compliance_team_rows(user=request.user, teams=list(page))
        return pager.get_paginated_response(ComplianceRowSerializer(rows, many=True).data)


class ObligationSerializer(serializers.Serializer):
    course_code = serializers.CharField(source="rule.course_code")
    course_title = serializers.CharField(source="rule.course_title")
    deadline = serializers.DateField()
    passed_on = serializers.DateField(allow_null=True)
    state = serializers.CharField()


class MyMandatoryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ObligationSerializer(many=True), summary="The caller's mandatory courses and deadlines")
    def get(self, request):
        me = employee_of(request.user)
        rows = selectors.compliance_mine(employee=me) if me else []
        return Response(ObligationSerializer(rows, many=True).data)


urlpatterns = [
    path("records/", RecordListApi.as_view(), name="records"),
    path("records/external/", RecordExternalApi.as_view(), name="record_external"),
    path("records/<int:pk>/", RecordDetailApi.as_view(), name="record"),
    path("records/<int:pk>/certificate/", CertificateApi.as_view(), name="certificate"),
    path("compliance/", ComplianceReportApi.as_view(), name="compliance"),
    path("mandatory/mine/", MyMandatoryApi.as_view(), name="mandatory_mine"),
]
