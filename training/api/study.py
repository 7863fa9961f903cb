"""Training API: self-study (TRN-2, SEC-3) under /api/v1/training/study/. Thin; serializers name
their fields (no mass assignment): a learner never sends an employee, a score or a flag.

The open attempt's serializer has no ``correct`` and no ``explanation`` field at all: the answer key
reaches the client only from a closed attempt's result (``AttemptResultSerializer``).
"""

from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.exports import private_file_response
from callcenter.inputs import ApiIdField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from training import selectors, services
from training.models import AttemptStatus, QuestionKind

MANAGER = HasRole(*selectors.STUDY_MANAGER_ROLES)


# --- Courses and material ---------------------------------------------------------------------------


class StudyCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    topic_area = serializers.CharField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_attempts = serializers.IntegerField()
    time_limit_minutes = serializers.IntegerField()
    question_count = serializers.IntegerField()


class MaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    position = serializers.IntegerField()
    active = serializers.BooleanField()
    url = serializers.SerializerMethodField(help_text="Where to read it: the private file or the link.")

    def get_url(self, material) -> str:
        return reverse("api:training:study_material_file", args=[material.pk])


class ProgressSerializer(serializers.Serializer):
    material_id = serializers.IntegerField()
    opened_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class AttemptSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField(allow_null=True)


class StudyCourseDetailSerializer(serializers.Serializer):
    course = StudyCourseSerializer()
    materials = MaterialSerializer(many=True)
    progress = ProgressSerializer(many=True)
    attempts = AttemptSummarySerializer(many=True)
    attempts_left = serializers.IntegerField()
    best_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    passed = serializers.BooleanField()


class StudyCourseListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=100, required=False, allow_blank=True)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(StudyCourseSerializer),
        summary="Online courses open to the caller (self-study, TRN-2)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.study_course_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=StudyCourseSerializer)


class StudyCourseDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StudyCourseDetailSerializer, summary="A course's material and the caller's progress")
    def get(self, request, pk: int):
        course = selectors.study_course_get(user=request.user, pk=pk)
        summary = selectors.study_course_summary(user=request.user, course=course)
        data = {
            "course": course,
            "materials": [row["material"] for row in summary["materials"]],
            "progress": [row["progress"] for row in summary["materials"] if row["progress"]],
            "attempts": summary["attempts"],
            "attempts_left": summary["attempts_left"],
            "best_score": summary["best_score"],
            "passed": summary["passed"],
        }
        return Response(StudyCourseDetailSerializer(data).data)


class MaterialInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(required=False, help_text="PDF, MP4/WebM, PNG or JPEG, checked by content.")
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class MaterialAddApi(APIView):
    permission_classes = [MANAGER]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": MaterialInputSerializer},
        responses={201: MaterialSerializer},
        summary="Attach a file or a link to a course (HR, trainers; SEC-3: checked by content, stored privately)",
    )
    def post(self, request, pk: int):
        serializer = MaterialInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        material = services.course_material_add(
            actor=request.user, course_id=pk, title=data["title"], upload=data.get("file"), url=data["url"]
        )
        return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialFileApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={
            (200, media): OpenApiTypes.BINARY
            for media in ("application/pdf", "image/jpeg", "image/png", "video/mp4", "video/webm")
        },
        summary="Read a material file (only for people who may see its course; every read audited); a link redirects",
    )
    def get(self, request, pk: int):
        material, handle = services.course_material_open(actor=request.user, material_id=pk)
        if handle is None:
            return Response(status=status.HTTP_302_FOUND, headers={"Location": material.url})
        return private_file_response(handle, filename=material.original_name, content_type=material.content_type)


class MaterialCompleteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ProgressSerializer, summary="Mark a material done (own progress)")
    def post(self, request, pk: int):
        request.data  # noqa: B018 - no body is read, but one that does not parse is a 400 first
        progress = services.material_progress_complete(actor=request.user, material_id=pk)
        return Response(ProgressSerializer(progress).data)


# --- Question bank (HR, trainers) --------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=500)
    correct = serializers.BooleanField(default=False)


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    course_id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=2000)
    explanation = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(default=True)
    options = OptionSerializer(many=True)


class QuestionListApi(APIView):
    permission_classes = [MANAGER]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(QuestionSerializer),
        summary="A course's question bank with the key (HR, trainers)",
    )
    def get(self, request, pk: int):
        course = selectors.study_course_get(user=request.user, pk=pk)
        qs = selectors.question_list(user=request.user, course=course)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=QuestionSerializer)

    @extend_schema(request=QuestionSerializer, responses={201: QuestionSerializer}, summary="Add a question")
    def post(self, request, pk: int):
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = services.question_create(actor=request.user, course_id=pk, **serializer.validated_data)
        question = selectors.question_get(user=request.user, pk=question.pk)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetailApi(APIView):
    permission_classes = [MANAGER]

    @extend_schema(responses=QuestionSerializer, summary="One question with its key (HR, trainers)")
    def get(self, request, pk: int):
        return Response(QuestionSerializer(selectors.question_get(user=request.user, pk=pk)).data)

    @extend_schema(request=QuestionSerializer, responses=QuestionSerializer, summary="Change a question")
    def put(self, request, pk: int):
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.question_update(actor=request.user, question_id=pk, **serializer.validated_data)
        return Response(QuestionSerializer(selectors.question_get(user=request.user, pk=pk)).data)


# --- Attempts -----------------------------------------------------------------------------------------


class SheetOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    chosen = serializers.BooleanField()


class SheetQuestionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = SheetOptionSerializer(many=True)


class OpenAttemptSerializer(serializers.Serializer):
    """An open attempt: no key, no explanation (TRN-2)."""

    attempt = AttemptSummarySerializer()
    seconds_left = serializers.IntegerField()
    questions = SheetQuestionSerializer(many=True)


class ResultOptionSerializer(SheetOptionSerializer):
    correct = serializers.BooleanField()


class ResultQuestionSerializer(SheetQuestionSerializer):
    options = ResultOptionSerializer(many=True)
    right = serializers.BooleanField()
    explanation = serializers.CharField()


class AttemptResultSerializer(serializers.Serializer):
    attempt = AttemptSummarySerializer()
    questions = ResultQuestionSerializer(many=True)


def _attempt_payload(request, attempt) -> dict:
    if attempt.status == AttemptStatus.OPEN:
        left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
        sheet = selectors.attempt_sheet(attempt, reveal=False)
        return OpenAttemptSerializer({"attempt": attempt, "seconds_left": left, "questions": sheet}).data
    sheet = selectors.attempt_sheet(attempt, reveal=True)
    return AttemptResultSerializer({"attempt": attempt, "questions": sheet}).data


class AttemptListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        mine = serializers.BooleanField(required=False, default=False)
        course = ApiIdField(required=False)
        status = serializers.ChoiceField(choices=AttemptStatus.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(AttemptSummarySerializer),
        summary="Attempts the caller may see (own; a team's for supervisors; all for HR and trainers)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.study_attempt_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=AttemptSummarySerializer)


class AttemptStartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: OpenAttemptSerializer},
        summary="Start (or continue) one's attempt: a random draw, the deadline kept by the server (TRN-2)",
    )
    def post(self, request, pk: int):
        request.data  # noqa: B018 - no body is read, but one that does not parse is a 400 first
        attempt = services.study_attempt_start(actor=request.user, course_id=pk)
        return Response(_attempt_payload(request, attempt), status=status.HTTP_201_CREATED)


class AttemptDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: PolymorphicProxySerializer(
                component_name="StudyAttemptSheet",
                serializers=[OpenAttemptSerializer, AttemptResultSerializer],
                resource_type_field_name=None,
            )
        },
        summary="An attempt: open, the questions without the key (own only); closed, the result with the key",
    )
    def get(self, request, pk: int):
        attempt = selectors.study_attempt_get(user=request.user, pk=pk)
        return Response(_attempt_payload(request, attempt))


class AnswerInputSerializer(serializers.Serializer):
    question = ApiIdField()
    options = serializers.ListField(child=ApiIdField(), max_length=20, allow_empty=True)


class AttemptAnswerApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AnswerInputSerializer, responses={204: None}, summary="Save one answer of one's open attempt"
    )
    def post(self, request, pk: int):
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.study_attempt_answer(
            actor=request.user, attempt_id=pk, question_id=data["question"], option_ids=data["options"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitInputSerializer(serializers.Serializer):
    answers = AnswerInputSerializer(many=True, required=False, default=list)


class AttemptSubmitApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SubmitInputSerializer,
        responses=AttemptResultSerializer,
        summary="Submit one's attempt and get the result; after the deadline it is scored with what was saved",
    )
    def post(self, request, pk: int):
        serializer = SubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = {item["question"]: item["options"] for item in serializer.validated_data["answers"]}
        attempt = services.study_attempt_submit(actor=request.user, attempt_id=pk, answers=answers)
        return Response(_attempt_payload(request, attempt))


urlpatterns = [
    path("study/courses/", StudyCourseListApi.as_view(), name="study_courses"),
    path("study/courses/<int:pk>/", StudyCourseDetailApi.as_view(), name="study_course"),
    path("study/courses/<int:pk>/materials/", MaterialAddApi.as_view(), name="study_materials"),
    path("study/materials/<int:pk>/file/", MaterialFileApi.as_view(), name="study_material_file"),
    path("study/materials/<int:pk>/complete/", MaterialCompleteApi.as_view(), name="study_material_complete"),
    path("study/courses/<int:pk>/questions/", QuestionListApi.as_view(), name="study_questions"),
    path("study/questions/<int:pk>/", QuestionDetailApi.as_view(), name="study_question"),
    path("study/courses/<int:pk>/attempts/", AttemptStartApi.as_view(), name="study_attempt_start"),
    path("study/attempts/", AttemptListApi.as_view(), name="study_attempts"),
    path("study/attempts/<int:pk>/", AttemptDetailApi.as_view(), name="study_attempt"),
    path("study/attempts/<int:pk>/answers/", AttemptAnswerApi.as_view(), name="study_attempt_answer"),
    path("study/attempts/<int:pk>/submit/", AttemptSubmitApi.as_view(), name="study_attempt_submit"),
]
