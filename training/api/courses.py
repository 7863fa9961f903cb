"""Training API: the course catalogue (TRN-1, TRN-2). Thin: serializers name their writable
fields (mass assignment refused), one service call."""

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from training import selectors, services
from training.models import DeliveryMode, TopicArea


class CourseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    topic_area = serializers.CharField()
    delivery_mode = serializers.CharField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    provider = serializers.CharField()
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_attempts = serializers.IntegerField()
    time_limit_minutes = serializers.IntegerField()
    question_count = serializers.IntegerField()
    open_enrolment = serializers.BooleanField()
    induction = serializers.BooleanField()
    active = serializers.BooleanField()


class CourseInputSerializer(serializers.Serializer):
    # Only these fields are written; created_by, created_at and the id are the server's.
    code = serializers.SlugField(max_length=30)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    topic_area = serializers.ChoiceField(choices=TopicArea.choices)
    delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"))
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)
    max_attempts = serializers.IntegerField(min_value=1, max_value=100, required=False)
    time_limit_minutes = serializers.IntegerField(min_value=1, max_value=1440, required=False)
    question_count = serializers.IntegerField(min_value=1, max_value=500, required=False)
    open_enrolment = serializers.BooleanField(required=False)
    induction = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)


class CourseListApi(APIView):
    # Everyone signed in reads (the selector decides what); writes narrow it in get_permissions.
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole(Role.HR, Role.TRAINER)()]
        return super().get_permissions()

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=100)
        topic_area = serializers.ChoiceField(choices=TopicArea.choices, required=False)
        delivery_mode = serializers.ChoiceField(choices=DeliveryMode.choices, required=False)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(CourseOutputSerializer),
        summary="The course catalogue (active courses; HR and trainers also the inactive ones) (TRN-2)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.course_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=CourseOutputSerializer)

    @extend_schema(
        request=CourseInputSerializer, responses={201: CourseOutputSerializer}, summary="Add a course (HR, trainers)"
    )
    def post(self, request):
        serializer = CourseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_create(actor=request.user, **serializer.validated_data)
        return Response(CourseOutputSerializer(course).data, status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    # Everyone signed in reads (the selector decides what); writes narrow it in get_permissions.
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [HasRole(Role.HR, Role.TRAINER)()]
        return super().get_permissions()

    @extend_schema(responses=CourseOutputSerializer, summary="One course of the catalogue")
    def get(self, request, pk: int):
        return Response(CourseOutputSerializer(selectors.course_get(user=request.user, pk=pk)).data)

    @extend_schema(
        request=CourseInputSerializer(partial=True), responses=CourseOutputSerializer, summary="Change a course"
    )
    def patch(self, request, pk: int):
        course = selectors.course_get(user=request.user, pk=pk)
        serializer = CourseInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        course = services.course_update(actor=request.user, course_id=course.pk, **serializer.validated_data)
        return Response(CourseOutputSerializer(course).data)


urlpatterns = [
    path("courses/", CourseListApi.as_view(), name="course_list"),
    path("courses/<int:pk>/", CourseDetailApi.as_view(), name="course_detail"),
]
