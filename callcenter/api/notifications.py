"""The caller's notifications."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors, services
from callcenter.inputs import ApiIdField
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema


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
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(NotificationOutputSerializer),
        summary="The caller's own notifications, newest first",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = selectors.notification_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=notifications, serializer_class=NotificationOutputSerializer
        )


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=ApiIdField(),
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


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="notification_list"),
    path("notifications/read/", NotificationReadApi.as_view(), name="notification_read"),
]
