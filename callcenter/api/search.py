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

    class SearchFilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            trim_whitespace=True,
            help_text=f"{selectors.SEARCH_MIN_LENGTH} to {selectors.SEARCH_MAX_LENGTH} characters: a name, "
            "pinyin initials, an employee number, a complaint number or a leave request number. Without "
            "q nothing is searched (no groups); a q too short or too long is a 400.",
        )

    class SearchHitSerializer(serializers.Serializer):
        title = serializers.CharField()
        detail = serializers.CharField()
        url = serializers.CharField(help_text="The page of the item on this site.")

    class SearchGroupSerializer(serializers.Serializer):
        key = serializers.CharField(help_text="people, complaints, leave …")
        label = serializers.CharField()
        hits = serializers.SerializerMethodField()
        more = serializers.BooleanField(help_text="More hits than shown: follow more_url.")
        more_url = serializers.CharField(help_text="The module's list filtered by the same text.")

        def get_hits(self, group) -> list[dict]:
            return SearchApi.SearchHitSerializer(group["hits"], many=True).data

    class SearchOutputSerializer(serializers.Serializer):
        query = serializers.CharField()
        groups = serializers.SerializerMethodField()

        def get_groups(self, results) -> list[dict]:
            return SearchApi.SearchGroupSerializer(results["groups"], many=True).data

    @extend_schema(
        parameters=[SearchFilterSerializer],
        responses=SearchOutputSerializer,
        summary="Search people, complaints and leave requests within the caller's remit (issue 14)",
    )
    def get(self, request):
        filters = self.SearchFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if "q" not in filters.validated_data:
            return Response(self.SearchOutputSerializer({"query": "", "groups": []}).data)
        results = selectors.global_search(user=request.user, text=filters.validated_data["q"])
        return Response(self.SearchOutputSerializer(results).data)


urlpatterns = [
    path("search/", SearchApi.as_view(), name="search"),
]
