"""The caller's own account (``/api/v1/me/``)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors
from callcenter.api.org import EmployeeOutputSerializer
from callcenter.roles import user_roles
from callcenter.selectors import user_scope


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


urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
]
