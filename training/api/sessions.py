"""Training API: sessions, enrolment (preview with the roster clash, then confirm), attendance,
scores and the satisfaction survey (TRN-2). Thin: serializers name their writable fields."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.inputs import ApiDateTimeField, ApiIdField, ApiMonthField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, paginated_response, paginated_schema
from callcenter.roles import Role
from training import selectors, services
from training.models import AttendanceMark


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    course_code = serializers.CharField(source="course.code")
    course_title = serializers.CharField(source="course.title")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    online_link = serializers.CharField()
    trainer_id = serializers.IntegerField(allow_null=True)
    provider = serializers.CharField()
    capacity = serializers.IntegerField()
    enrolled = serializers.IntegerField(source="enrolled_count", default=None)
    status = serializers.CharField()


class SessionInputSerializer(serializers.Serializer):
    starts_at = ApiDateTimeField()
    ends_at = ApiDateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_link = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    trainer_id = ApiIdField(required=False, allow_null=True, default=None)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=1000)


class SessionCreateSerializer(SessionInputSerializer):
    course_id = ApiIdField()


class EnrolmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_name = serializers.CharField(source="employee.name")
    status = serializers.CharField()
    roster_clash = serializers.CharField()
    attendance = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class PreviewRowSerializer(serializers.Serializer):
    employee_id = serializers.IntegerField(source="employee.pk")
    employee_name = serializers.CharField(source="employee.name")
    roster_clash = serializers.CharField(source="clash")
    already_enrolled = serializers.BooleanField(source="already")


class SessionListApi(APIView):
    # Everyone signed in reads (the selector decides what); writes narrow it in get_permissions.
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole(Role.HR, Role.TRAINER)()]
        return super().get_permissions()

    class FilterSerializer(serializers.Serializer):
        month = ApiMonthField(required=False)
        course = ApiIdField(required=False)
        trainer = ApiIdField(required=False)
        upcoming = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(SessionOutputSerializer),
        summary="Training sessions, upcoming first (TRN-2)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.session_list(user=request.user, filters=filters.validated_data)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=SessionOutputSerializer)

    @extend_schema(
        request=SessionCreateSerializer, responses={201: SessionOutputSerializer}, summary="Schedule a session"
    )
    def post(self, request):
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_create(actor=request.user, **serializer.validated_data)
        return Response(SessionOutputSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    # Everyone signed in reads (the selector decides what); writes narrow it in get_permissions.
    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "PATCH":
            return [HasRole(Role.HR, Role.TRAINER)()]
        return super().get_permissions()

    @extend_schema(responses=SessionOutputSerializer, summary="One session")
    def get(self, request, pk: int):
        return Response(SessionOutputSerializer(selectors.session_get(user=request.user, pk=pk)).data)

    @extend_schema(
        request=SessionInputSerializer(partial=True), responses=SessionOutputSerializer, summary="Change a session"
    )
    def patch(self, request, pk: int):
        session = selectors.session_get(user=request.user, pk=pk)
        serializer = SessionInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        session = services.session_update(actor=request.user, session_id=session.pk, **fields)
        return Response(SessionOutputSerializer(selectors.session_get(user=request.user, pk=session.pk)).data)


class SessionCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    class SessionCancelInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    @extend_schema(
        request=SessionCancelInputSerializer,
        responses=SessionOutputSerializer,
        summary="Cancel a session (frees the time)",
    )
    def post(self, request, pk: int):
        session = selectors.session_get(user=request.user, pk=pk)
        serializer = self.SessionCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(actor=request.user, session_id=session.pk, **serializer.validated_data)
        return Response(SessionOutputSerializer(selectors.session_get(user=request.user, pk=session.pk)).data)


class SessionEnrolmentsApi(APIView):
    permission_classes = [IsAuthenticated]

    class SessionEnrolmentsInputSerializer(serializers.Serializer):
        employee_ids = serializers.ListField(child=ApiIdField(), min_length=1, max_length=200)
        confirm = serializers.BooleanField(
            default=False, help_text="false: the preview with each person's roster clash; true: enrol (TRN-2)"
        )

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(EnrolmentOutputSerializer),
        summary="Who is enrolled (as far as the caller may see)",
    )
    def get(self, request, pk: int):
        session = selectors.session_get(user=request.user, pk=pk)
        qs = selectors.session_enrolments(user=request.user, session=session)
        return paginated_response(request=request, view=self, queryset=qs, serializer_class=EnrolmentOutputSerializer)

    @extend_schema(
        request=SessionEnrolmentsInputSerializer,
        responses={200: PreviewRowSerializer(many=True), 201: EnrolmentOutputSerializer(many=True)},
        summary="Enrol people: preview the roster clash, then confirm (TRN-2)",
    )
    def post(self, request, pk: int):
        session = selectors.session_get(user=request.user, pk=pk)
        serializer = self.SessionEnrolmentsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["employee_ids"]
        if not serializer.validated_data["confirm"]:
            rows = selectors.enrolment_preview(user=request.user, session=session, employee_ids=ids)
            return Response(PreviewRowSerializer(rows, many=True).data)
        created = services.enrolment_create(actor=request.user, session_id=session.pk, employee_ids=ids)
        return Response(EnrolmentOutputSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class EnrolmentCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=EnrolmentOutputSerializer, summary="Cancel an enrolment (before the start)")
    def post(self, request, pk: int):
        enrolment = services.enrolment_cancel(actor=request.user, enrolment_id=pk)
        return Response(EnrolmentOutputSerializer(enrolment).data)


class EnrolmentAttendanceApi(APIView):
    permission_classes = [IsAuthenticated]

    class EnrolmentAttendanceInputSerializer(serializers.Serializer):
        mark = serializers.ChoiceField(choices=AttendanceMark.choices)

    @extend_schema(
        request=EnrolmentAttendanceInputSerializer,
        responses=EnrolmentOutputSerializer,
        summary="Take the attendance (the trainer, HR)",
    )
    def post(self, request, pk: int):
        serializer = self.EnrolmentAttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.session_attendance_mark(
            actor=request.user, enrolment_id=pk, mark=serializer.validated_data["mark"]
        )
        return Response(EnrolmentOutputSerializer(enrolment).data)


class EnrolmentScoreApi(APIView):
    permission_classes = [IsAuthenticated]

    class EnrolmentScoreInputSerializer(serializers.Serializer):
        score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)

    @extend_schema(
        request=EnrolmentScoreInputSerializer,
        responses=EnrolmentOutputSerializer,
        summary="Enter a score, 0..100 (TRN-2)",
    )
    def post(self, request, pk: int):
        serializer = self.EnrolmentScoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.session_score_set(
            actor=request.user, enrolment_id=pk, score=serializer.validated_data["score"]
        )
        return Response(EnrolmentOutputSerializer(enrolment).data)


class SatisfactionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrolment_id = serializers.IntegerField()
    rating = serializers.IntegerField()
    comment = serializers.CharField()


class EnrolmentSurveyApi(APIView):
    permission_classes = [IsAuthenticated]

    class EnrolmentSurveyInputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=EnrolmentSurveyInputSerializer,
        responses={201: SatisfactionOutputSerializer},
        summary="Answer the satisfaction survey of a session attended (once, TRN-2)",
    )
    def post(self, request, pk: int):
        serializer = self.EnrolmentSurveyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = services.satisfaction_submit(actor=request.user, enrolment_id=pk, **serializer.validated_data)
        return Response(SatisfactionOutputSerializer(response).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("sessions/", SessionListApi.as_view(), name="session_list"),
    path("sessions/<int:pk>/", SessionDetailApi.as_view(), name="session_detail"),
    path("sessions/<int:pk>/cancel/", SessionCancelApi.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/enrolments/", SessionEnrolmentsApi.as_view(), name="session_enrolments"),
    path("enrolments/<int:pk>/cancel/", EnrolmentCancelApi.as_view(), name="enrolment_cancel"),
    path("enrolments/<int:pk>/attendance/", EnrolmentAttendanceApi.as_view(), name="enrolment_attendance"),
    path("enrolments/<int:pk>/score/", EnrolmentScoreApi.as_view(), name="enrolment_score"),
    path("enrolments/<int:pk>/survey/", EnrolmentSurveyApi.as_view(), name="enrolment_survey"),
]
