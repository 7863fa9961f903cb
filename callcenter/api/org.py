"""Employees of the caller's remit: the directory (issue 13) and one employee."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.exports import file_response
from callcenter.inputs import ApiIdField
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema


class EmployeeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(source="department.name")
    department_id = serializers.IntegerField()
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    team_id = serializers.IntegerField(allow_null=True)
    position = serializers.CharField(source="position.name")
    hire_date = serializers.DateField()
    status = serializers.CharField()


class DirectoryOutputSerializer(EmployeeOutputSerializer):
    position_id = serializers.IntegerField()
    left_on = serializers.DateField(allow_null=True)


class DirectoryPayOutputSerializer(DirectoryOutputSerializer):
    """For HR only (SEC-2): the directory with pay."""

    monthly_base_pay = serializers.DecimalField(max_digits=10, decimal_places=2)
    bonus_base = serializers.DecimalField(max_digits=10, decimal_places=2)


class DirectoryFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=100,
        allow_blank=True,
        help_text="Name in Chinese characters (a substring), pinyin initials (zw finds 张伟) or employee number prefix",
    )
    department = ApiIdField(required=False)
    team = ApiIdField(required=False)
    position = ApiIdField(required=False)
    status = serializers.ChoiceField(choices=list(selectors.DIRECTORY_STATUSES), required=False, default="active")


class EmployeeListApi(APIView):
    permission_classes = [IsAuthenticated]

    # Kept under this name for the edge-input walk and older clients.
    FilterSerializer = DirectoryFilterSerializer

    @extend_schema(
        parameters=[DirectoryFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(DirectoryPayOutputSerializer),
        summary="The directory: employees the caller may see (self, team, department or company), searched "
        "by name, pinyin initials or number; pay fields for HR only",
    )
    def get(self, request):
        filters = DirectoryFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        employees = selectors.directory_list(user=request.user, filters=filters.validated_data)
        serializer = (
            DirectoryPayOutputSerializer if selectors.directory_shows_pay(request.user) else DirectoryOutputSerializer
        )
        return paginated_response(request=request, view=self, queryset=employees, serializer_class=serializer)


class DirectoryExportSerializer(DirectoryFilterSerializer):
    file_format = serializers.ChoiceField(
        choices=list(services.DIRECTORY_EXPORT_FORMATS), required=False, default="csv"
    )


class EmployeeExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[DirectoryExportSerializer],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        },
        summary="The directory as CSV or XLSX (audited; pay columns for HR only)",
    )
    def get(self, request):
        query = DirectoryExportSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        fmt = filters.pop("file_format")
        return file_response(services.directory_export(actor=request.user, filters=filters, fmt=fmt))


class EmployeeDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EmployeeOutputSerializer, summary="One employee (404 when not visible)")
    def get(self, request, pk: int):
        employee = selectors.employee_get(user=request.user, pk=pk)
        return Response(EmployeeOutputSerializer(employee).data)


urlpatterns = [
    path("employees/", EmployeeListApi.as_view(), name="employee_list"),
    path("employees/export/", EmployeeExportApi.as_view(), name="employee_export"),
    path("employees/<int:pk>/", EmployeeDetailApi.as_view(), name="employee_detail"),
]
