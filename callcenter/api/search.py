"""The global search over the API (issue 14): the same groups as the search page."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter import selectors


class SearchApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=True,
            allow_blank=True,
            trim_whitespace=True,
            help_text=f"{selectors.SEARCH_MIN_LENGTH} to {selectors.SEARCH_MAX_LENGTH} characters: a name, "
            "pinyin initials, an employee number, a complaint number or a leave request number.",
        )

    class HitSerializer(serializers.Serializer):
        title = serializers.CharField()
        detail = serializers.CharField()
        url = serializers.CharField(help_text="The page of the item on this site.")

    class GroupSerializer(serializers.Serializer):
        key = serializers.CharField(help_text="people, complaints, leave …")
        label = serializers.CharField()
        hits = serializers.SerializerMethodField()
        more = serializers.BooleanField(help_text="More hits than shown: follow more_url.")
        more_url = serializers.CharField(help_text="The module's list filtered by the same text.")

        def get_hits(self, group) -> list[dict]:
            return SearchApi.HitSerializer(group["hits"], many=True).data

    class OutputSerializer(serializers.Serializer):
        query = serializers.CharField()
        groups = serializers.SerializerMethodField()

        def get_groups(self, results) -> list[dict]:
            return SearchApi.GroupSerializer(results["groups"], many=True).data

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer,
        summary="Search people, complaints and leave requests within the caller's remit (issue 14)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        results = selectors.global_search(user=request.user, text=filters.validated_data["q"])
        return Response(self.OutputSerializer(results).data)


urlpatterns = [
    path("search/", SearchApi.as_view(), name="search"),
]
