"""REST API of the core app (thin: one class per endpoint, plain serializers)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.api_support import Pagination

from . import selectors, services
from .roles import user_roles
from .visibility import user_scope


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


class MeOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    scope = serializers.CharField()
    preferred_language = serializers.CharField()
    employee = EmployeeOutputSerializer(allow_null=True)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutputSerializer, summary="The current user, roles and visibility scope")
    def get(self, request):
        user = request.user
        data = {
            "username": user.get_username(),
            "roles": sorted(user_roles(user)),
            "scope": user_scope(user).name.lower(),
            "preferred_language": user.preferred_language,
            "employee": selectors.employee_of(user),
        }
        return Response(MeOutputSerializer(data).data)


class EmployeeListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)
        department = serializers.IntegerField(required=False, min_value=1)
        team = serializers.IntegerField(required=False, min_value=1)
        status = serializers.ChoiceField(choices=["active", "left", "all"], required=False, default="active")

    @extend_schema(
        parameters=[FilterSerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=EmployeeOutputSerializer(many=True),
        summary="Employees the caller may see (self, team, department or company)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        employees = selectors.employee_list(user=request.user, filters=filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(employees, request, view=self)
        return paginator.get_paginated_response(EmployeeOutputSerializer(page, many=True).data)


class EmployeeDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EmployeeOutputSerializer, summary="One employee (404 when not visible)")
    def get(self, request, pk: int):
        employee = selectors.employee_get(user=request.user, pk=pk)
        return Response(EmployeeOutputSerializer(employee).data)


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField(help_text="A path on this site (empty when there is none).")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    is_read = serializers.BooleanField()


class NotificationListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=NotificationOutputSerializer(many=True),
        summary="The caller's own notifications, newest first",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(user=request.user, filters=filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            max_length=1000,
            help_text="Notifications to mark read; leave out to mark all of the caller's.",
        )

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField(help_text="How many were unread and are now read.")
        unread = serializers.IntegerField(help_text="How many remain unread.")

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Mark the caller's notifications read (ids of others' are ignored)",
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = services.notification_mark_read(actor=request.user, notification_ids=ids)
        unread = selectors.notification_unread_count(user=request.user)
        return Response(self.OutputSerializer({"marked": marked, "unread": unread}).data)
