"""Complaints API (CMP-1..CMP-3, SEC-2). One class per action, plain serializers.

- Contact details are masked in every list, detail and filter (SEC-2); the full phone and e-mail
  come only from ``POST <pk>/contact/``, for the roles that need them, and each reveal is audited
  by :func:`complaints.services.complaint_contact_reveal`.
- Input serializers never carry ``status``, ``reference``, ``owner``, due times, ``source`` or the
  recorder: those are set by the services (SECURITY.md class 4, mass assignment). Unknown keys in
  a body are ignored.
- Who may see or act on what is decided by :mod:`complaints.selectors` and
  :mod:`complaints.services` (404 for a complaint the caller may not see, 403 for an action the
  role may not take, 409 for a state that no longer allows it); this module parses, calls one of
  them and renders.
- ``POST intake/`` is for the online web form and the CRM (CMP-1), authenticated by
  ``Authorization: Integration <token>`` (``manage.py complaint_integration_create``); only that
  endpoint accepts integration tokens.
"""

from django.urls import path
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from callcenter.errors import ApplicationError
from callcenter.exports import private_file_response
from callcenter.inputs import ApiDateField, ApiDateTimeField, ApiIdField
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from callcenter.roles import Role
from complaints import rules, selectors, services
from complaints.models import Channel, ComplaintStatus, IntegrationToken, Urgency

HANDLER = HasRole(*services.HANDLER_ROLES)


# --- Integration authentication (CMP-1) ----------------------------------------------------------------


class IntegrationAuthentication(authentication.BaseAuthentication):
    """``Authorization: Integration <token>``; ``request.auth`` is the IntegrationToken,
    ``request.user`` None. Unknown, malformed and deactivated tokens are all 401."""

    keyword = "Integration"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid Integration header: give exactly one token.")
        try:
            token = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid integration token.") from exc
        try:
            integration = selectors.integration_authenticate(token=token)
        except ApplicationError as exc:
            raise exceptions.AuthenticationFailed(str(exc.message)) from exc
        return (None, integration)

    def authenticate_header(self, request):
        return self.keyword


class IntegrationAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = IntegrationAuthentication
    name = "integrationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Web form / CRM: "Integration <token>" (created with '
            "`manage.py complaint_integration_create <name>`).",
        }


class IsIntegration(BasePermission):
    message = "An integration token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, IntegrationToken)


# --- Output ------------------------------------------------------------------------------------------


class ContactOutputSerializer(serializers.Serializer):
    phone = serializers.CharField()
    email = serializers.CharField()


class ComplaintSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    customer_name = serializers.CharField()
    contact = serializers.SerializerMethodField(help_text="Masked, always (SEC-2): 138****5678, w***@example.com.")
    channel = serializers.CharField()
    channel_label = serializers.CharField(source="get_channel_display")
    category = serializers.CharField(source="category.code", allow_null=True, default=None)
    category_name = serializers.CharField(source="category.display_name", allow_null=True, default=None)
    urgency = serializers.CharField()
    urgency_label = serializers.CharField(source="get_urgency_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    source = serializers.CharField(help_text="staff, or integration:<name> (CMP-1).")
    owner_id = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField(source="owner.name", allow_null=True, default=None)
    concerned_team_id = serializers.IntegerField(allow_null=True)
    concerned_team = serializers.CharField(source="concerned_team.name", allow_null=True, default=None)
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField()
    resolution_due = serializers.DateTimeField()
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    paused = serializers.SerializerMethodField(help_text="The SLA clock is paused (waiting for the customer).")
    first_response_overdue = serializers.SerializerMethodField(help_text="CMP-1/CMP-2, as of now.")
    resolution_overdue = serializers.SerializerMethodField(help_text="CMP-2, as of now.")
    escalation_level = serializers.IntegerField(help_text="0 none, 1 first response overdue, 2 resolution overdue.")
    satisfaction = serializers.IntegerField(allow_null=True)
    reopen_count = serializers.IntegerField()

    @extend_schema_field(ContactOutputSerializer)
    def get_contact(self, complaint):
        return selectors.complaint_masked_contact(complaint)

    def get_paused(self, complaint) -> bool:
        # A complaint closed while paused keeps ``paused_since`` (the services do not clear it).
        return complaint.paused_since is not None and complaint.status != ComplaintStatus.CLOSED

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return self.context["now"]

    def get_first_response_overdue(self, complaint) -> bool:
        return complaint.status != ComplaintStatus.CLOSED and rules.overdue(
            due=complaint.first_response_due,
            done_at=complaint.first_responded_at,
            paused_since=complaint.paused_since,
            now=self._now(),
        )

    def get_resolution_overdue(self, complaint) -> bool:
        return complaint.status != ComplaintStatus.CLOSED and rules.overdue(
            due=complaint.resolution_due,
            done_at=complaint.resolved_at,
            paused_since=complaint.paused_since,
            now=self._now(),
        )


class ComplaintEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    text = serializers.CharField()
    call_reference = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.username", allow_null=True, default=None)
    data = serializers.JSONField()


class ResolutionPlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    description = serializers.CharField()
    responsible_id = serializers.IntegerField()
    responsible_name = serializers.CharField(source="responsible.name")
    deadline = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class FollowUpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    satisfaction = serializers.IntegerField()
    comment = serializers.CharField()
    at = serializers.DateTimeField()


class EmployeeBriefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ComplaintDetailOutputSerializer(ComplaintSummaryOutputSerializer):
    matter = serializers.CharField()
    cause = serializers.CharField()
    concerned_employees = EmployeeBriefOutputSerializer(many=True, source="concerned_employees.all")
    recorded_by = serializers.CharField(source="recorded_by.username", allow_null=True, default=None)
    recorded_by_name = serializers.CharField(source="recorded_by_employee.name", allow_null=True, default=None)
    closed_by = serializers.CharField(source="closed_by.username", allow_null=True, default=None)
    close_reason = serializers.CharField()
    paused_since = serializers.DateTimeField(allow_null=True)
    paused_seconds = serializers.IntegerField(help_text="Time the clock was paused so far; due times moved by it.")
    created_at = serializers.DateTimeField()
    timeline = ComplaintEventOutputSerializer(many=True, source="events.all", help_text="Append-only (CMP-2).")
    plans = ResolutionPlanOutputSerializer(many=True, source="plans.all", help_text="Every version (CMP-2).")
    follow_ups = FollowUpOutputSerializer(many=True, source="follow_ups.all", help_text="CMP-3.")
    can_reveal_contact = serializers.SerializerMethodField(help_text="The caller may POST <id>/contact/ (SEC-2).")

    def get_can_reveal_contact(self, complaint) -> bool:
        return bool(self.context.get("can_reveal_contact"))


class IntakeOutputSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="Quote it to the customer.")
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    first_response_due = serializers.DateTimeField()


def _complaint_detail(http_request, pk: int) -> dict:
    """The complaint as the caller sees it now (re-read after an action)."""
    complaint = selectors.complaint_get(user=http_request.user, complaint_id=pk)
    can_reveal = selectors.complaint_can_reveal_contact(user=http_request.user)
    return ComplaintDetailOutputSerializer(complaint, context={"can_reveal_contact": can_reveal}).data


# --- Input -------------------------------------------------------------------------------------------


class ComplaintIntakeInputSerializer(serializers.Serializer):
    """What the web form / CRM sends (CMP-1); the contact is validated and normalised by the
    service. Never a status, reference, owner, due time or source."""

    customer_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    matter = serializers.CharField(max_length=4000)
    received_at = ApiDateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now; at most 90 days ago."
    )
    category = serializers.SlugField(
        max_length=30, required=False, allow_blank=True, default="", help_text="A category's code (CMP-4)."
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.values, default=Urgency.NORMAL, help_text="urgent starts the emergency procedure (CMP-1)."
    )


class ComplaintRecordInputSerializer(ComplaintIntakeInputSerializer):
    channel = serializers.ChoiceField(choices=Channel.values)
    concerned_team = ApiIdField(required=False, allow_null=True, default=None)
    concerned_employees = serializers.ListField(
        child=ApiIdField(), required=False, default=list, max_length=services.MAX_CONCERNED
    )


class ComplaintConcernedInputSerializer(serializers.Serializer):
    concerned_team = ApiIdField(allow_null=True, help_text="The team concerned (id), or null for none.")
    concerned_employees = serializers.ListField(
        child=ApiIdField(),
        max_length=services.MAX_CONCERNED,
        allow_empty=True,
        help_text="Every agent concerned (employee ids; active, visible to the caller); replaces the current list.",
    )


class ComplaintAssignInputSerializer(serializers.Serializer):
    owner = ApiIdField(help_text="An active member of the complaint team (employee id).")


class ComplaintLogInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[str(k) for k in services.LOG_KINDS])
    text = serializers.CharField(max_length=4000)
    call_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ComplaintPlanInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=4000)
    responsible = ApiIdField(help_text="An active employee (id).")
    deadline = ApiDateTimeField(help_text="In the future.")


class ComplaintResolveInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, help_text="What was done.")
    cause = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the investigation found (CMP-4 statistics by cause); required unless given at intake.",
    )


class ComplaintFollowUpInputSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ComplaintReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ComplaintFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", *ComplaintStatus.values], required=False)
    urgency = serializers.ChoiceField(choices=Urgency.values, required=False)
    channel = serializers.ChoiceField(choices=Channel.values, required=False)
    category = serializers.SlugField(max_length=30, required=False)
    owner = serializers.RegexField(
        r"^(me|none|[1-9]\d{0,17})$", required=False, help_text="An employee id, me, or none (not assigned yet)."
    )
    team = ApiIdField(required=False, help_text="The team concerned.")
    overdue = serializers.BooleanField(required=False, default=False)
    date_from = ApiDateField(required=False, help_text="Received on or after this day.")
    date_to = ApiDateField(required=False, help_text="Received on or before this day.")
    q = serializers.CharField(
        max_length=100, required=False, help_text="Reference (exact) or customer name; never a contact (SEC-2)."
    )
    ordering = serializers.ChoiceField(choices=list(selectors.ORDERINGS), required=False)


# --- Complaints (CMP-1) ------------------------------------------------------------------------------


class ComplaintListApi(APIView):
    """GET: the complaints the caller may see; POST: record one (any logged-in employee)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        # A list (the paginated envelope reads as one object to drf-spectacular, which would name
        # it complaints_retrieve like the detail).
        parameters=[ComplaintFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(ComplaintSummaryOutputSerializer),
        summary="Complaints the caller may see, contact masked (CMP-1..CMP-3, SEC-2)",
    )
    def get(self, request):
        filters = ComplaintFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.complaint_list(user=request.user, filters=filters.validated_data),
            serializer_class=ComplaintSummaryOutputSerializer,
            context={"now": timezone.now()},
        )

    @extend_schema(
        request=ComplaintRecordInputSerializer,
        responses={201: ComplaintDetailOutputSerializer},
        summary="Record a complaint taken by phone, e-mail or online (CMP-1); urgent ones alert at once",
    )
    def post(self, request):
        serializer = ComplaintRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint = services.complaint_record(
            actor=request.user,
            customer_name=data["customer_name"],
            matter=data["matter"],
            channel=data["channel"],
            received_at=data["received_at"],
            phone=data["phone"],
            email=data["email"],
            category_code=data["category"],
            urgency=data["urgency"],
            concerned_team_id=data["concerned_team"],
            concerned_employee_ids=data["concerned_employees"],
        )
        return Response(_complaint_detail(request, complaint.pk), status=status.HTTP_201_CREATED)


class ComplaintIntakeApi(APIView):
    """The online web form / CRM files a complaint (integration token only)."""

    authentication_classes = [IntegrationAuthentication]
    permission_classes = [IsIntegration]

    @extend_schema(
        request=ComplaintIntakeInputSerializer,
        responses={201: IntakeOutputSerializer},
        summary="The web form or CRM files a complaint, channel online (CMP-1); Integration token",
        description="401 for a missing, unknown or deactivated token; 400 {detail, code, errors} for bad input, "
        "nothing saved then.",
    )
    def post(self, request):
        serializer = ComplaintIntakeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        complaint = services.complaint_record(
            actor=None,
            customer_name=data["customer_name"],
            matter=data["matter"],
            channel=Channel.ONLINE,
            received_at=data["received_at"],
            phone=data["phone"],
            email=data["email"],
            category_code=data["category"],
            urgency=data["urgency"],
            source=rules.integration_source(request.auth),
        )
        return Response(IntakeOutputSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ComplaintDetailOutputSerializer,
        summary="One complaint, contact masked, with its timeline, plans, follow-ups and SLA state "
        "(CMP-2, CMP-3); 404 if not visible",
    )
    def get(self, request, pk: int):
        return Response(_complaint_detail(request, pk))


class ComplaintContactApi(APIView):
    permission_classes = [HasRole(*selectors.CONTACT_REVEAL_ROLES)]

    @extend_schema(
        request=None,
        responses=ContactOutputSerializer,
        summary="Reveal one complaint's phone and e-mail (CMP-1, SEC-2: complaint team, company leaders); audited",
    )
    def post(self, request, pk: int):
        contact = services.complaint_contact_reveal(actor=request.user, complaint_id=pk)
        response = Response(ContactOutputSerializer(contact).data)
        response["Cache-Control"] = "private, no-store"
        return response


# --- Workflow (CMP-2, CMP-3) --------------------------------------------------------------------------
# The services load the complaint by its id under a row lock, visibility-checked (404 otherwise).


class ComplaintAssignApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintAssignInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="Give the complaint to a member of the complaint team (CMP-2); 409 closed",
    )
    def post(self, request, pk: int):
        serializer = ComplaintAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_assign(actor=request.user, complaint_id=pk, owner_id=serializer.validated_data["owner"])
        return Response(_complaint_detail(request, pk))


class ComplaintConcernedApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintConcernedInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary=(
            "Replace the agents and the team concerned found by the investigation (CMP-2); 400 concerned_inactive / "
            "concerned_too_many / owner_concerned, 403 own_record (SEC-2), 409 closed"
        ),
    )
    def post(self, request, pk: int):
        serializer = ComplaintConcernedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.complaint_concerned_set(
            actor=request.user,
            complaint_id=pk,
            team_id=data["concerned_team"],
            employee_ids=data["concerned_employees"],
        )
        return Response(_complaint_detail(request, pk))


class ComplaintLogApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintLogInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="Add to the timeline: note, evidence, talk with the customer or a department, progress sent "
        "(CMP-2); talking with the customer is the first response",
    )
    def post(self, request, pk: int):
        serializer = ComplaintLogInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.complaint_log(
            actor=request.user,
            complaint_id=pk,
            kind=data["kind"],
            text=data["text"],
            call_reference=data["call_reference"],
        )
        return Response(_complaint_detail(request, pk))


class ComplaintPlanApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintPlanInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="A resolution plan with a responsible person and a deadline, a new version each time (CMP-2)",
    )
    def post(self, request, pk: int):
        serializer = ComplaintPlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.complaint_plan(
            actor=request.user,
            complaint_id=pk,
            description=data["description"],
            responsible_id=data["responsible"],
            deadline=data["deadline"],
        )
        return Response(_complaint_detail(request, pk))


class ComplaintResolveApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintResolveInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary=(
            "Mark resolved, awaiting the follow-up visit (CMP-2): 400 plan_missing / cause_missing (CMP-4), "
            "409 already_resolved / closed"
        ),
    )
    def post(self, request, pk: int):
        serializer = ComplaintResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.complaint_resolve(actor=request.user, complaint_id=pk, text=data["text"], cause=data["cause"])
        return Response(_complaint_detail(request, pk))


class ComplaintFollowUpApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintFollowUpInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="The follow-up visit (CMP-3): satisfied closes, not satisfied reopens; 409 not_resolved",
    )
    def post(self, request, pk: int):
        serializer = ComplaintFollowUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.complaint_follow_up(
            actor=request.user, complaint_id=pk, satisfaction=data["satisfaction"], comment=data["comment"]
        )
        return Response(_complaint_detail(request, pk))


class ComplaintCloseApi(APIView):
    permission_classes = [HasRole(Role.COMPANY_LEADER)]

    @extend_schema(
        request=ComplaintReasonInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="A company leader closes an open complaint with a reason (CMP-3); 409 closed",
    )
    def post(self, request, pk: int):
        serializer = ComplaintReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_close(actor=request.user, complaint_id=pk, reason=serializer.validated_data["reason"])
        return Response(_complaint_detail(request, pk))


class ComplaintPauseApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=ComplaintReasonInputSerializer,
        responses=ComplaintDetailOutputSerializer,
        summary="Pause the SLA clock while waiting for the customer (CMP-2); 409 already_paused / closed",
    )
    def post(self, request, pk: int):
        serializer = ComplaintReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_pause(actor=request.user, complaint_id=pk, reason=serializer.validated_data["reason"])
        return Response(_complaint_detail(request, pk))


class ComplaintResumeApi(APIView):
    permission_classes = [HANDLER]

    @extend_schema(
        request=None,
        responses=ComplaintDetailOutputSerializer,
        summary="Resume the SLA clock; unmet due times move on by the pause (CMP-2); 409 not_paused",
    )
    def post(self, request, pk: int):
        services.complaint_resume(actor=request.user, complaint_id=pk)
        return Response(_complaint_detail(request, pk))


class ComplaintAttachInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ComplaintAttachApi(APIView):
    permission_classes = [HANDLER]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ComplaintAttachInputSerializer},
        responses={201: ComplaintDetailOutputSerializer},
        summary="Attach evidence (CMP-2): PDF, JPEG or PNG checked by content, stored privately",
    )
    def post(self, request, pk: int):
        serializer = ComplaintAttachInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.complaint_attach(
            actor=request.user,
            complaint_id=pk,
            upload=serializer.validated_data["file"],
            text=serializer.validated_data["text"],
        )
        return Response(_complaint_detail(request, pk), status=status.HTTP_201_CREATED)


class ComplaintAttachmentDownloadApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        # The types an attachment may have (checked by content at upload).
        responses={(200, media): OpenApiTypes.BINARY for media in ("application/pdf", "image/jpeg", "image/png")},
        summary="Download an evidence file: only for people who may see its complaint; every read is audited",
    )
    def get(self, request, pk: int):
        attachment, handle = services.complaint_attachment_open(actor=request.user, attachment_id=pk)
        return private_file_response(handle, filename=attachment.original_name, content_type=attachment.content_type)


urlpatterns = [
    path("", ComplaintListApi.as_view(), name="list"),
    path("<int:pk>/attachments/", ComplaintAttachApi.as_view(), name="attach"),
    path("attachments/<int:pk>/", ComplaintAttachmentDownloadApi.as_view(), name="attachment"),
    path("intake/", ComplaintIntakeApi.as_view(), name="intake"),
    path("<int:pk>/", ComplaintDetailApi.as_view(), name="detail"),
    path("<int:pk>/contact/", ComplaintContactApi.as_view(), name="contact"),
    path("<int:pk>/assign/", ComplaintAssignApi.as_view(), name="assign"),
    path("<int:pk>/concerned/", ComplaintConcernedApi.as_view(), name="concerned"),
    path("<int:pk>/log/", ComplaintLogApi.as_view(), name="log"),
    path("<int:pk>/plan/", ComplaintPlanApi.as_view(), name="plan"),
    path("<int:pk>/resolve/", ComplaintResolveApi.as_view(), name="resolve"),
    path("<int:pk>/follow-up/", ComplaintFollowUpApi.as_view(), name="follow_up"),
    path("<int:pk>/close/", ComplaintCloseApi.as_view(), name="close"),
    path("<int:pk>/pause/", ComplaintPauseApi.as_view(), name="pause"),
    path("<int:pk>/resume/", ComplaintResumeApi.as_view(), name="resume"),
]
