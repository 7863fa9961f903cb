"""Attendance API: leave (请假, ATT-3 / LV-1..LV-5). One class per action, plain serializers.

- Input serializers never carry ``employee``, ``status``, ``days`` or ``route``: the requester is
  the caller, the days and the approval route are computed by the services (SECURITY.md class 4,
  mass assignment). Unknown keys in a body are ignored.
- Who may see or act on what is decided by :mod:`attendance.selectors` and
  :mod:`attendance.services` (404 for a request the caller may not see, 403 for a step that is not
  theirs, 409 for a state that no longer allows the action); this module parses, calls one of
  them and renders.
- Every list is paginated; lists load their relations in a fixed number of queries.
"""

from decimal import Decimal

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from attendance import rules, selectors, services
from attendance.errors import AttendanceErrorCode
from attendance.models import DayCounting, LeaveStatus
from callcenter.errors import ApplicationError
from callcenter.exports import private_file_response
from callcenter.inputs import ApiDateField, ApiIdField, JSONParser
from callcenter.permissions import HasRole
from callcenter.rest import PAGE_PARAMETERS, IgnoreAcceptNegotiation, paginated_response, paginated_schema
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_choices, employee_of

CERTIFICATES_PER_UPLOAD = 5
DAYS = {"max_digits": 5, "decimal_places": 1}


# --- Output ------------------------------------------------------------------------------------------


class LeaveTypeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    display_name = serializers.CharField(help_text="The name in the caller's language.")
    rule = serializers.CharField(help_text="The article's rule it follows (LV-1, LV-3); custom for HR's types.")
    counting = serializers.CharField(help_text="working or calendar days (LV-3).")
    requires_certificate = serializers.BooleanField()
    uses_balance = serializers.BooleanField()
    max_days_per_request = serializers.DecimalField(allow_null=True, **DAYS)
    allow_half_days = serializers.BooleanField()
    paid = serializers.BooleanField()
    active = serializers.BooleanField()
    sort_order = serializers.IntegerField()


class LeaveDayOutputSerializer(serializers.Serializer):
    """One day of a request and how it counts (LV-3), explained in the caller's language."""

    date = serializers.DateField()
    part = serializers.CharField(help_text="full, morning or afternoon.")
    counted = serializers.DecimalField(**DAYS)
    why = serializers.CharField()
    name = serializers.CharField(help_text="The statutory holiday's name, if any.")
    text = serializers.SerializerMethodField()

    def get_text(self, item) -> str:
        return rules.explain_day(item)


class LeaveStepOutputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    tier = serializers.CharField()
    tier_label = serializers.CharField(source="get_tier_display")
    approver_id = serializers.IntegerField()
    approver_name = serializers.CharField(source="approver.name")
    decides = serializers.BooleanField(help_text="The authority the request's length needs (LV-4).")
    status = serializers.CharField(help_text="waiting, pending, approved, rejected or cancelled.")
    acted_at = serializers.DateTimeField(allow_null=True)
    on_behalf = serializers.BooleanField(help_text="Decided by the approver's delegate.")
    comment = serializers.CharField()


class LeaveStepDetailOutputSerializer(LeaveStepOutputSerializer):
    acted_by = serializers.CharField(source="acted_by.username", allow_null=True, default=None)


class LeaveRouteOutputSerializer(serializers.Serializer):
    """Who approves and why (LV-4), fixed when the request was filed."""

    article = serializers.CharField()
    needed_tier = serializers.CharField(allow_null=True)
    days = serializers.DecimalField(allow_null=True, **DAYS)
    supervisor_max_days = serializers.DecimalField(allow_null=True, **DAYS)
    manager_max_days = serializers.DecimalField(allow_null=True, **DAYS)
    direct = serializers.BooleanField(help_text="Sent to the deciding authority alone (policy switch).")
    policy_effective_from = serializers.DateField(allow_null=True)
    steps = LeaveStepDetailOutputSerializer(many=True)


class LeaveCertificateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, certificate) -> str:
        return reverse("api:attendance:leave_certificate", args=[certificate.pk])


class LeaveRequestSummaryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    team_id = serializers.IntegerField(source="employee.team_id", allow_null=True)
    team = serializers.CharField(source="employee.team.name", allow_null=True, default=None)
    department_id = serializers.IntegerField(source="employee.department_id")
    leave_type = serializers.CharField(source="leave_type.code")
    leave_type_name = serializers.CharField(source="leave_type.display_name")
    start_date = serializers.DateField()
    starts_afternoon = serializers.BooleanField()
    end_date = serializers.DateField()
    ends_at_noon = serializers.BooleanField()
    days = serializers.DecimalField(**DAYS)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    waiting_for = serializers.SerializerMethodField(help_text="The current step of a pending request.")

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "tier": {"type": "string"},
                "approver_id": {"type": "integer"},
                "approver_name": {"type": "string"},
            },
        }
    )
    def get_waiting_for(self, request):
        # From the route stored at submission (no query per row): step n of the route is
        # approval step n, and current_step moves as each tier approves (LV-4).
        if request.status != LeaveStatus.PENDING:
            return None
        steps = (request.route or {}).get("steps") or []
        if request.current_step >= len(steps):
            return None
        step = steps[request.current_step]
        return {"tier": step["tier"], "approver_id": step["approver_id"], "approver_name": step["approver_name"]}


class LeaveRequestDetailOutputSerializer(LeaveRequestSummaryOutputSerializer):
    breakdown = LeaveDayOutputSerializer(many=True)
    reason = serializers.CharField()
    expected_days = serializers.DecimalField(allow_null=True, **DAYS)
    difficult_birth = serializers.BooleanField()
    extra_babies = serializers.IntegerField()
    limit_days = serializers.SerializerMethodField(help_text="The statutory per-request limit applied (LV-3).")
    route = serializers.SerializerMethodField()
    certificates = LeaveCertificateOutputSerializer(many=True, source="certificates.all")
    revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True, default=None)
    revoke_reason = serializers.CharField()
    can_decide = serializers.SerializerMethodField(help_text="The caller may approve or reject it now.")

    @extend_schema_field(serializers.DecimalField(allow_null=True, **DAYS))
    def get_limit_days(self, request):
        limit = ((request.route or {}).get("limit") or {}).get("limit")
        return None if limit in (None, "") else str(limit)

    @extend_schema_field(LeaveRouteOutputSerializer)
    def get_route(self, request):
        route = request.route or {}
        return LeaveRouteOutputSerializer(
            {
                "article": route.get("article", "LV-4"),
                "needed_tier": route.get("tier"),
                "days": route.get("days"),
                "supervisor_max_days": route.get("supervisor_max"),
                "manager_max_days": route.get("manager_max"),
                "direct": bool(route.get("direct")),
                "policy_effective_from": route.get("policy_effective_from"),
                "steps": request.steps.all(),
            }
        ).data

    def get_can_decide(self, request) -> bool:
        return bool(self.context.get("can_decide"))


class LeaveBalanceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_id = serializers.IntegerField()
    employee_no = serializers.CharField(source="employee.employee_no")
    employee_name = serializers.CharField(source="employee.name")
    leave_type = serializers.CharField(source="leave_type.code")
    leave_type_name = serializers.CharField(source="leave_type.display_name")
    year = serializers.IntegerField()
    entitled_days = serializers.DecimalField(**DAYS)
    used_days = serializers.DecimalField(**DAYS)
    remaining_days = serializers.DecimalField(**DAYS)
    detail = serializers.JSONField(help_text="How it was granted: years worked, the table line, pro-rating (LV-3).")
    explanation = serializers.SerializerMethodField()
    granted_at = serializers.DateTimeField()

    def get_explanation(self, balance) -> str:
        return rules.explain_grant(balance.detail or {})


class LeaveBalanceBriefOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    entitled_days = serializers.DecimalField(**DAYS)
    used_days = serializers.DecimalField(**DAYS)
    remaining_days = serializers.DecimalField(**DAYS)


class LeaveDelegationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delegator_id = serializers.IntegerField()
    delegator_name = serializers.CharField(source="delegator.name")
    delegate_id = serializers.IntegerField()
    delegate_name = serializers.CharField(source="delegate.name")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField(help_text="In force today.")

    def get_active(self, delegation) -> bool:
        today = timezone.localdate()
        return delegation.cancelled_at is None and delegation.start_date <= today <= delegation.end_date


def _request_detail(http_request, pk: int) -> dict:
    """The request as the caller sees it now (re-read after an action: steps, certificates)."""
    leave_request = selectors.leave_request_get(user=http_request.user, pk=pk)
    can_decide = selectors.leave_request_can_act(
        user=http_request.user, request=leave_request, steps=list(leave_request.steps.all())
    )
    return LeaveRequestDetailOutputSerializer(leave_request, context={"can_decide": can_decide}).data


# --- Input helpers -------------------------------------------------------------------------------


class LeaveTypeCodeField(serializers.SlugRelatedField):
    """A leave type given by its code (LV-1), among ``queryset``."""

    def __init__(self, *, queryset, message, **kwargs):
        kwargs.setdefault("help_text", "A leave type's code (GET leave/types/).")
        super().__init__(
            slug_field="code",
            queryset=queryset,
            error_messages={"does_not_exist": message, "invalid": message},
            **kwargs,
        )


class CallerChoiceField(serializers.PrimaryKeyRelatedField):
    """An id among the rows a selector lets the caller pick (``choices(user)``); other ids answer
    like unknown ones, so the endpoint cannot be used to look people up."""

    def __init__(self, *, choices, message, **kwargs):
        self.choices_for = choices
        kwargs.setdefault("pk_field", ApiIdField())  # and the schema's type
        super().__init__(error_messages={"does_not_exist": message, "incorrect_type": message}, **kwargs)

    def get_queryset(self):
        return self.choices_for(self.context["request"].user)


class LeaveQuoteInputSerializer(serializers.Serializer):
    """What a requester says about the days; never the employee, the days counted or the route."""

    leave_type = LeaveTypeCodeField(queryset=selectors.leave_type_list(), message=gettext_lazy("Choose a leave type."))
    start_date = ApiDateField()
    starts_afternoon = serializers.BooleanField(required=False, default=False)
    end_date = ApiDateField()
    ends_at_noon = serializers.BooleanField(required=False, default=False)
    difficult_birth = serializers.BooleanField(required=False, default=False, help_text="Maternity leave (LV-3).")
    extra_babies = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=5, help_text="Maternity leave (LV-3)."
    )


class LeaveRequestSubmitInputSerializer(LeaveQuoteInputSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Required for personal leave (LV-2)."
    )
    expected_days = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text="Required for personal leave (LV-2).",
        **DAYS,
    )


class LeaveRequestSubmitMultipartInputSerializer(LeaveRequestSubmitInputSerializer):
    certificates = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=CERTIFICATES_PER_UPLOAD,
        help_text="Hospital certificates, PDF/JPEG/PNG checked by content (LV-2; required for sick leave).",
    )


# --- Types (LV-1) -------------------------------------------------------------------------------------


class LeaveTypeInputSerializer(serializers.Serializer):
    """HR's fields of a type; the rule (statutory or company-defined) is never set here."""

    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=50)
    name_en = serializers.CharField(max_length=50)
    counting = serializers.ChoiceField(choices=DayCounting.choices, default=DayCounting.WORKING)
    requires_certificate = serializers.BooleanField(default=False)
    uses_balance = serializers.BooleanField(default=False)
    max_days_per_request = serializers.DecimalField(
        required=False, allow_null=True, default=None, min_value=Decimal("0.5"), max_value=366, **DAYS
    )
    allow_half_days = serializers.BooleanField(default=True)
    paid = serializers.BooleanField(default=True)
    active = serializers.BooleanField(default=True)
    sort_order = serializers.IntegerField(default=100, min_value=0, max_value=32767)


class LeaveTypeUpdateInputSerializer(LeaveTypeInputSerializer):
    """As for a new type, without the code: it never changes (requests, balances and reports
    refer to it). A ``code`` in the body is ignored."""

    code = None


class LeaveTypeListApi(APIView):
    """GET: any logged-in user; POST: HR (LV-1: HR can add types)."""

    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        include_inactive = serializers.BooleanField(
            required=False, default=False, help_text="HR only; ignored for others."
        )

    def get_permissions(self):
        if self.request.method == "POST":
            return [HasRole(Role.HR)()]
        return super().get_permissions()

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(LeaveTypeOutputSerializer),
        summary="Leave types (LV-1)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        include_inactive = filters.validated_data["include_inactive"] and has_role(request.user, Role.HR)
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.leave_type_list(active_only=not include_inactive),
            serializer_class=LeaveTypeOutputSerializer,
        )

    @extend_schema(
        request=LeaveTypeInputSerializer,
        responses={201: LeaveTypeOutputSerializer},
        summary="Add a company-defined leave type (HR, LV-1)",
    )
    def post(self, request):
        serializer = LeaveTypeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        leave_type = services.leave_type_save(actor=request.user, data=serializer.validated_data)
        return Response(LeaveTypeOutputSerializer(leave_type).data, status=status.HTTP_201_CREATED)


class LeaveTypeUpdateApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=LeaveTypeUpdateInputSerializer(partial=True),
        responses=LeaveTypeOutputSerializer,
        summary="Edit a leave type (HR, LV-1, LV-3); its code and the statutory types' rule never change",
    )
    def patch(self, request, pk: int):
        serializer = LeaveTypeUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        leave_type = services.leave_type_save(actor=request.user, leave_type_id=pk, data=serializer.validated_data)
        return Response(LeaveTypeOutputSerializer(leave_type).data)


# --- Requests ----------------------------------------------------------------------------------------


class LeaveRequestListApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=LeaveStatus.values, required=False)
        leave_type = serializers.SlugField(required=False, max_length=30)
        mine = serializers.BooleanField(required=False, default=False)
        employee = ApiIdField(required=False)
        team = ApiIdField(required=False)
        department = ApiIdField(required=False)
        date_from = ApiDateField(required=False, help_text="Requests that end on or after this day.")
        date_to = ApiDateField(required=False, help_text="Requests that start on or before this day.")
        q = serializers.CharField(required=False, max_length=100, help_text="Employee name or number.")

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(LeaveRequestSummaryOutputSerializer),
        summary="Leave requests the caller may see: own, team, department, company, or on their route (ATT-3)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.leave_request_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=qs, serializer_class=LeaveRequestSummaryOutputSerializer
        )

    @extend_schema(
        request={
            "application/json": LeaveRequestSubmitInputSerializer,
            "multipart/form-data": LeaveRequestSubmitMultipartInputSerializer,
        },
        responses={201: LeaveRequestDetailOutputSerializer},
        summary="Request leave for oneself: days counted (LV-3), certificates (LV-2), route by length (LV-4)",
    )
    def post(self, request):
        serializer = LeaveRequestSubmitMultipartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        leave_request = services.leave_request_submit(
            actor=request.user,
            leave_type_id=data["leave_type"].pk,
            start_date=data["start_date"],
            end_date=data["end_date"],
            starts_afternoon=data["starts_afternoon"],
            ends_at_noon=data["ends_at_noon"],
            reason=data["reason"],
            expected_days=data["expected_days"],
            difficult_birth=data["difficult_birth"],
            extra_babies=data["extra_babies"],
            certificates=data["certificates"],
        )
        return Response(_request_detail(request, leave_request.pk), status=status.HTTP_201_CREATED)


class LeaveQuoteStepOutputSerializer(serializers.Serializer):
    tier = serializers.CharField()
    tier_label = serializers.CharField()
    approver_id = serializers.IntegerField(source="approver.pk", allow_null=True, default=None)
    approver_name = serializers.CharField(source="approver.name", allow_null=True, default=None)
    decides = serializers.BooleanField()


class LeaveQuoteBalanceOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    entitled_days = serializers.DecimalField(**DAYS)
    used_days = serializers.DecimalField(**DAYS)
    pending_days = serializers.DecimalField(**DAYS, help_text="Held by the caller's other pending requests.")
    available_days = serializers.DecimalField(**DAYS)
    after_days = serializers.DecimalField(**DAYS, help_text="Left if this request is approved.")


class LeaveQuoteOutputSerializer(serializers.Serializer):
    leave_type = serializers.CharField()
    leave_type_name = serializers.CharField()
    days = serializers.DecimalField(**DAYS)
    breakdown = LeaveDayOutputSerializer(many=True)
    balance = LeaveQuoteBalanceOutputSerializer(allow_null=True)
    limit_days = serializers.DecimalField(allow_null=True, **DAYS)
    limit_article = serializers.CharField(allow_null=True)
    needed_tier = serializers.CharField()
    route_article = serializers.CharField()
    route = LeaveQuoteStepOutputSerializer(many=True)
    problems = serializers.ListField(child=serializers.CharField())
    ok = serializers.BooleanField(help_text="No problem found: submitting would pass these checks.")


class LeaveRequestQuoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveQuoteInputSerializer,
        responses=LeaveQuoteOutputSerializer,
        summary="Preview a request: days counted (LV-3), balance, limit, route (LV-4), problems; writes nothing",
    )
    def post(self, request):
        serializer = LeaveQuoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        leave_type = data["leave_type"]
        me = employee_of(request.user)
        if me is None:
            raise ApplicationError(
                _("Only active employees can request leave."), code=AttendanceErrorCode.NOT_AN_EMPLOYEE
            )
        quote = selectors.leave_quote(
            employee=me,
            leave_type=leave_type,
            start_date=data["start_date"],
            end_date=data["end_date"],
            starts_afternoon=data["starts_afternoon"],
            ends_at_noon=data["ends_at_noon"],
            difficult_birth=data["difficult_birth"],
            extra_babies=data["extra_babies"],
        )
        body = {
            "leave_type": leave_type.code,
            "leave_type_name": leave_type.display_name,
            "days": quote.days,
            "breakdown": quote.breakdown,
            "balance": quote.balance_figures(),
            "limit_days": quote.limit,
            "limit_article": (quote.limit_explanation or {}).get("article"),
            "needed_tier": quote.route_explanation["tier"],
            "route_article": quote.route_explanation["article"],
            "route": quote.route_rows(),
            "problems": [str(p) for p in quote.problems],
            "ok": not quote.problems,
        }
        return Response(LeaveQuoteOutputSerializer(body).data)


class LeaveRequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=LeaveRequestDetailOutputSerializer,
        summary="One leave request with its days (LV-3), route and steps (LV-4), certificates (LV-2); 404 if not "
        "visible",
    )
    def get(self, request, pk: int):
        return Response(_request_detail(request, pk))


class LeaveCommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LeaveRejectInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, help_text="The requester reads why.")


class LeaveRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class LeaveRequestApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveCommentInputSerializer,
        responses=LeaveRequestDetailOutputSerializer,
        summary="Approve the current step (LV-4): 403 own_record / not_approver, 409 not_your_turn / "
        "already_decided / not_pending",
    )
    def post(self, request, pk: int):
        serializer = LeaveCommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The service loads the request under a row lock, visibility-checked (404 otherwise).
        services.leave_request_approve(
            actor=request.user, leave_request_id=pk, comment=serializer.validated_data["comment"]
        )
        return Response(_request_detail(request, pk))


class LeaveRequestRejectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveRejectInputSerializer,
        responses=LeaveRequestDetailOutputSerializer,
        summary="Reject at one's step with a comment (LV-4); the rest of the route is cancelled",
    )
    def post(self, request, pk: int):
        serializer = LeaveRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.leave_request_reject(
            actor=request.user, leave_request_id=pk, comment=serializer.validated_data["comment"]
        )
        return Response(_request_detail(request, pk))


class LeaveRequestWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=LeaveRequestDetailOutputSerializer,
        summary="Withdraw one's own pending request (ATT-3)",
    )
    def post(self, request, pk: int):
        services.leave_request_withdraw(actor=request.user, leave_request_id=pk)
        return Response(_request_detail(request, pk))


class LeaveRequestRevokeApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=LeaveRevokeInputSerializer,
        responses=LeaveRequestDetailOutputSerializer,
        summary="HR revokes approved leave with a reason: days return to the balance, past days count again (LV-5)",
    )
    def post(self, request, pk: int):
        serializer = LeaveRevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.leave_request_revoke(
            actor=request.user, leave_request_id=pk, reason=serializer.validated_data["reason"]
        )
        return Response(_request_detail(request, pk))


class LeaveCertificateUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, JPEG or PNG, checked by content (LV-2).")


class LeaveRequestCertificateApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": LeaveCertificateUploadInputSerializer},
        responses={201: LeaveCertificateOutputSerializer},
        summary="Add a certificate to one's own pending or approved request (LV-2)",
    )
    def post(self, request, pk: int):
        serializer = LeaveCertificateUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # 404 for anyone who may not see the request; the service allows the requester only.
        certificate = services.leave_certificate_add(
            actor=request.user, leave_request_id=pk, upload=serializer.validated_data["file"]
        )
        return Response(LeaveCertificateOutputSerializer(certificate).data, status=status.HTTP_201_CREATED)


# --- Inbox and bulk decisions (LV-4) ------------------------------------------------------------------


class LeaveCoverageDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    requester_works = serializers.BooleanField(help_text="The requester is rostered to work this day.")
    shift_code = serializers.CharField()
    scheduled = serializers.IntegerField(help_text="Team members on the requester's shift.")
    off = serializers.IntegerField(help_text="Of them already on approved leave.")
    pending = serializers.IntegerField(help_text="Of them with a pending request.")
    min_staff = serializers.IntegerField()
    remaining_if_approved = serializers.IntegerField()
    below_minimum = serializers.BooleanField()


class LeaveInboxRequestOutputSerializer(LeaveRequestSummaryOutputSerializer):
    breakdown = LeaveDayOutputSerializer(many=True)
    reason = serializers.CharField()
    expected_days = serializers.DecimalField(allow_null=True, **DAYS)


class LeaveInboxPageSerializer(serializers.ListSerializer):
    """One page of the inbox's requests becomes its rows (steps, certificates, balance, coverage),
    in a fixed number of queries."""

    def to_representation(self, data):
        return super().to_representation(selectors.leave_inbox_rows(user=self.context["request"].user, requests=data))


class LeaveInboxRowOutputSerializer(serializers.Serializer):
    request = LeaveInboxRequestOutputSerializer()
    steps = LeaveStepOutputSerializer(many=True)
    certificates = LeaveCertificateOutputSerializer(many=True)
    balance = LeaveBalanceBriefOutputSerializer(allow_null=True)
    coverage = LeaveCoverageDayOutputSerializer(many=True)
    below_minimum_dates = serializers.SerializerMethodField()
    on_behalf_of_id = serializers.IntegerField(source="on_behalf_of.pk", allow_null=True, default=None)
    on_behalf_of_name = serializers.CharField(source="on_behalf_of.name", allow_null=True, default=None)

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_below_minimum_dates(self, row):
        return [day.date.isoformat() for day in row.warnings]

    class Meta:
        list_serializer_class = LeaveInboxPageSerializer


class LeaveInboxApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(LeaveInboxRowOutputSerializer),
        summary="Requests waiting for the caller's decision (or a delegator's), with balance and team coverage "
        "per day (LV-4)",
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.leave_inbox(user=request.user),
            serializer_class=LeaveInboxRowOutputSerializer,
        )


class LeaveDecideInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=ApiIdField(), min_length=1, max_length=services.LEAVE_BULK_MAX)
    action = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs["comment"].strip():
            raise serializers.ValidationError({"comment": [_("Please say why the request is rejected.")]})
        return attrs


class LeaveDecideOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    detail = serializers.CharField(help_text="Why this one was not decided (empty when ok).")


class LeaveDecideOutputSerializer(serializers.Serializer):
    decided = serializers.IntegerField()
    results = LeaveDecideOutcomeSerializer(many=True)


class LeaveRequestsDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=LeaveDecideInputSerializer,
        responses=LeaveDecideOutputSerializer,
        summary="Approve or reject several requests; each is decided on its own and reported (LV-4)",
    )
    def post(self, request):
        serializer = LeaveDecideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = services.leave_requests_decide(
            actor=request.user, leave_request_ids=data["ids"], action=data["action"], comment=data["comment"]
        )
        results = [{"id": pk, "ok": not error, "detail": error} for pk, error in outcome.items()]
        body = {"decided": sum(1 for r in results if r["ok"]), "results": results}
        return Response(LeaveDecideOutputSerializer(body).data)


# --- Balances (LV-3) -------------------------------------------------------------------------------------


class LeaveBalanceListApi(APIView):
    permission_classes = [IsAuthenticated]

    class FilterSerializer(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
        leave_type = serializers.SlugField(required=False, max_length=30)
        mine = serializers.BooleanField(required=False, default=False)
        employee = ApiIdField(required=False)
        q = serializers.CharField(required=False, max_length=100, help_text="Employee name or number.")

    @extend_schema(
        parameters=[FilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(LeaveBalanceOutputSerializer),
        summary="Leave balances the caller may see, each with how it was granted (LV-3)",
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.leave_balance_list(user=request.user, filters=filters.validated_data)
        return paginated_response(
            request=request, view=self, queryset=qs, serializer_class=LeaveBalanceOutputSerializer
        )


class LeaveBalanceSetInputSerializer(serializers.Serializer):
    employee = CallerChoiceField(
        choices=lambda user: employee_choices(user=user, active_only=False), message=gettext_lazy("Employee not found.")
    )
    leave_type = LeaveTypeCodeField(
        queryset=selectors.leave_type_list(active_only=False), message=gettext_lazy("Unknown leave type.")
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    entitled_days = serializers.DecimalField(min_value=0, max_value=366, **DAYS)
    reason = serializers.CharField(max_length=200, help_text="At least 5 characters; kept with the balance.")


class LeaveBalanceSetApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=LeaveBalanceSetInputSerializer,
        responses=LeaveBalanceOutputSerializer,
        summary="HR sets an employee's entitlement of a year with a reason; never below the days used (LV-3)",
    )
    def post(self, request):
        serializer = LeaveBalanceSetInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        balance = services.leave_balance_set(
            actor=request.user,
            employee_id=data["employee"].pk,
            leave_type_id=data["leave_type"].pk,
            year=data["year"],
            entitled_days=data["entitled_days"],
            reason=data["reason"],
        )
        return Response(LeaveBalanceOutputSerializer(balance).data)


class LeaveBalanceGrantInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class LeaveBalanceGrantOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    granted = serializers.IntegerField(help_text="Balances created; existing ones are never touched.")
    raised = serializers.IntegerField(
        help_text="Balances raised once for a milestone of cumulative work reached during the year "
        "(the first 12 months, the 10th or the 20th year; pro rata, LV-3)."
    )


class LeaveBalanceGrantApi(APIView):
    permission_classes = [HasRole(Role.HR)]

    @extend_schema(
        request=LeaveBalanceGrantInputSerializer,
        responses=LeaveBalanceGrantOutputSerializer,
        summary="Grant a year's annual leave by years worked to everyone without a balance (LV-3); idempotent",
    )
    def post(self, request):
        serializer = LeaveBalanceGrantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.leave_balance_grant_annual(year=serializer.validated_data["year"], actor=request.user)
        return Response(LeaveBalanceGrantOutputSerializer(result).data)


# --- Delegations (LV-4) ----------------------------------------------------------------------------------


class LeaveDelegationInputSerializer(serializers.Serializer):
    delegate = CallerChoiceField(
        choices=lambda user: selectors.approval_delegate_choices(user=user),
        message=gettext_lazy("Choose an active colleague as delegate."),
        help_text="The colleague who approves meanwhile.",
    )
    start_date = ApiDateField()
    end_date = ApiDateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    delegator = CallerChoiceField(
        choices=lambda user: employee_choices(user=user, active_only=False),
        message=gettext_lazy("Employee not found."),
        required=False,
        help_text="HR only: the approver who is away (default: the caller).",
    )


class LeaveDelegationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(LeaveDelegationOutputSerializer),
        summary="Approval delegations the caller gave or holds; HR sees all (LV-4)",
    )
    def get(self, request):
        return paginated_response(
            request=request,
            view=self,
            queryset=selectors.approval_delegation_list(user=request.user),
            serializer_class=LeaveDelegationOutputSerializer,
        )

    @extend_schema(
        request=LeaveDelegationInputSerializer,
        responses={201: LeaveDelegationOutputSerializer},
        summary="Hand one's leave approvals to a colleague for a period (LV-4); HR may do it for an approver",
    )
    def post(self, request):
        serializer = LeaveDelegationInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        delegation = services.approval_delegation_create(
            actor=request.user,
            delegate_id=data["delegate"].pk,
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
            delegator_id=data["delegator"].pk if data.get("delegator") else None,
        )
        return Response(LeaveDelegationOutputSerializer(delegation).data, status=status.HTTP_201_CREATED)


class LeaveDelegationCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=LeaveDelegationOutputSerializer,
        summary="Cancel a delegation (the approver who gave it, or HR; LV-4)",
    )
    def post(self, request, pk: int):
        delegation = services.approval_delegation_cancel(actor=request.user, delegation_id=pk)
        return Response(LeaveDelegationOutputSerializer(delegation).data)


# --- Certificate download (LV-2) -------------------------------------------------------------------------


class LeaveCertificateDownloadApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Unknown, or the caller may not see its request."),
        },
        summary="Download a certificate (LV-2): only for people who may see its request; every view is audited",
    )
    def get(self, request, pk: int):
        certificate, handle = services.leave_certificate_open(actor=request.user, certificate_id=pk)
        return private_file_response(handle, filename=certificate.original_name, content_type=certificate.content_type)


urlpatterns = [
    path("leave/types/", LeaveTypeListApi.as_view(), name="leave_types"),
    path("leave/types/<int:pk>/", LeaveTypeUpdateApi.as_view(), name="leave_type"),
    path("leave/requests/", LeaveRequestListApi.as_view(), name="leave_requests"),
    path("leave/requests/quote/", LeaveRequestQuoteApi.as_view(), name="leave_quote"),
    path("leave/requests/decide/", LeaveRequestsDecideApi.as_view(), name="leave_decide"),
    path("leave/requests/<int:pk>/", LeaveRequestDetailApi.as_view(), name="leave_request"),
    path("leave/requests/<int:pk>/approve/", LeaveRequestApproveApi.as_view(), name="leave_approve"),
    path("leave/requests/<int:pk>/reject/", LeaveRequestRejectApi.as_view(), name="leave_reject"),
    path("leave/requests/<int:pk>/withdraw/", LeaveRequestWithdrawApi.as_view(), name="leave_withdraw"),
    path("leave/requests/<int:pk>/revoke/", LeaveRequestRevokeApi.as_view(), name="leave_revoke"),
    path(
        "leave/requests/<int:pk>/certificates/",
        LeaveRequestCertificateApi.as_view(),
        name="leave_certificates",
    ),
    path("leave/inbox/", LeaveInboxApi.as_view(), name="leave_inbox"),
    path("leave/balances/", LeaveBalanceListApi.as_view(), name="leave_balances"),
    path("leave/balances/set/", LeaveBalanceSetApi.as_view(), name="leave_balance_set"),
    path("leave/balances/grant/", LeaveBalanceGrantApi.as_view(), name="leave_balance_grant"),
    path("leave/delegations/", LeaveDelegationListApi.as_view(), name="leave_delegations"),
    path(
        "leave/delegations/<int:pk>/cancel/",
        LeaveDelegationCancelApi.as_view(),
        name="leave_delegation_cancel",
    ),
    path(
        "leave/certificates/<int:pk>/",
        LeaveCertificateDownloadApi.as_view(),
        name="leave_certificate",
    ),
]
