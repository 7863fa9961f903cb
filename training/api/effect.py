"""The effect API (TRN-3), under /api/v1/training/effect/: the figures of a course or of a plan
item (attendance rate, average score, pass rate, satisfaction, the related indicator's change for
participants against non-participants of the same teams) with HR's conclusions, and recording a
conclusion (HR). Readers: HR, trainers, department managers, company leaders."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiDateField, ApiIdField
from callcenter.permissions import HasRole
from training import selectors, services


class EffectGroupSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="People with a value before and after")
    mean = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, help_text="Null: not enough data")
    enough = serializers.BooleanField()


class EffectIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(allow_blank=True)
    available = serializers.BooleanField(help_text="False: the appraisal module is not installed.")
    min_people = serializers.IntegerField()
    participants = EffectGroupSerializer()
    others = EffectGroupSerializer(help_text="Non-participants of the participants' teams")
    effect = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text="Difference of the differences, in points"
    )


class EffectFiguresSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField()
    attended = serializers.IntegerField()
    attendance_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    average_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    assessed = serializers.IntegerField()
    passed = serializers.IntegerField()
    pass_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    satisfaction = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    answers = serializers.IntegerField()
    indicator = EffectIndicatorSerializer()


class EffectReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conclusion = serializers.CharField()
    reviewed_on = serializers.DateField()
    reviewed_by = serializers.CharField(source="reviewed_by.username")
    course_id = serializers.IntegerField(allow_null=True)
    plan_id = serializers.IntegerField(allow_null=True)
    lineage = serializers.UUIDField(allow_null=True)


class EffectOutputSerializer(serializers.Serializer):
    subject = serializers.ChoiceField(choices=["course", "item"])
    course_id = serializers.IntegerField(source="course.pk", allow_null=True, default=None)
    year = serializers.IntegerField(allow_null=True)
    indicator_code = serializers.CharField(allow_blank=True)
    figures = EffectFiguresSerializer()
    reviews = EffectReviewOutputSerializer(many=True)


class EffectReviewInputSerializer(serializers.Serializer):
    course_id = ApiIdField(required=False, allow_null=True, help_text="A course, or plan_id and lineage")
    plan_id = ApiIdField(required=False, allow_null=True)
    lineage = serializers.UUIDField(required=False, allow_null=True)
    conclusion = serializers.CharField(min_length=5, max_length=4000)
    reviewed_on = ApiDateField(required=False, allow_null=True, help_text="Default: today")


class EffectCourseApi(APIView):
    permission_classes = [HasRole(*selectors.EFFECT_READ_ROLES)]

    class EffectFilterSerializer(serializers.Serializer):
        indicator = serializers.CharField(required=False, max_length=40, help_text="Appraisal indicator code")
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(
        parameters=[EffectFilterSerializer], responses=EffectOutputSerializer, summary="The effect of a course (TRN-3)"
    )
    def get(self, request, pk: int):
        filters = self.EffectFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = selectors.effect_course(
            user=request.user,
            course_id=pk,
            indicator_code=filters.validated_data.get("indicator", ""),
            year=filters.validated_data.get("year"),
        )
        return Response(EffectOutputSerializer(data).data)


class EffectItemApi(APIView):
    permission_classes = [HasRole(*selectors.EFFECT_READ_ROLES)]

    @extend_schema(responses=EffectOutputSerializer, summary="The effect of a plan item over the plan's year (TRN-3)")
    def get(self, request, pk: int, lineage):
        return Response(
            EffectOutputSerializer(selectors.effect_plan_item(user=request.user, plan_id=pk, lineage=lineage)).data
        )


class EffectReviewApi(APIView):
    permission_classes = [HasRole(*selectors.EFFECT_REVIEW_ROLES)]

    @extend_schema(
        request=EffectReviewInputSerializer,
        responses={201: EffectReviewOutputSerializer},
        summary="Record HR's conclusion (TRN-3)",
    )
    def post(self, request):
        serializer = EffectReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.effect_review_record(actor=request.user, **serializer.validated_data)
        return Response(EffectReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("effect/courses/<int:pk>/", EffectCourseApi.as_view(), name="effect_course"),
    path("effect/plans/<int:pk>/items/<uuid:lineage>/", EffectItemApi.as_view(), name="effect_item"),
    path("effect/reviews/", EffectReviewApi.as_view(), name="effect_review"),
]
