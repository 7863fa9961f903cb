"""Employees of the caller's remit."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors
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


class EmployeeListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)
        department = ApiIdField(required=False)
        team = ApiIdField(required=False)
        status = serializers.ChoiceField(choices=["active", "left", "all"], required=False, default="active")

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(EmployeeOutputSerializer),
        summary="Employees the caller may see (self, team, department or company)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        employees = selectors.employee_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=employees, serializer_class=EmployeeOutputSerializer
        )


class EmployeeDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EmployeeOutputSerializer, summary="One employee (404 when not visible)")
    def get(self, request, pk: int):
        employee = selectors.employee_get(user=request.user, pk=pk)
        return Response(EmployeeOutputSerializer(employee).data)


urlpatterns = [
    path("employees/", EmployeeListApi.as_view(), name="employee_list"),
    path("employees/<int:pk>/", EmployeeDetailApi.as_view(), name="employee_detail"),
]
