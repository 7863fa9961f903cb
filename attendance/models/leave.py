"""Leave (请假, ATT-3 / LV-1..LV-5): types, the leave policy, balances, requests, approval steps
and delegations (the regulation puts leave under attendance).

Invariants held by the database:
- the half-day slots of a request (``span_start``..``span_end``) never overlap those of another
  pending or approved request of the same employee (an exclusion constraint);
- a balance never goes below zero: ``0 <= used_days <= entitled_days``; one balance per
  employee, type and year;
- one ledger entry per balance and milestone of cumulative work (the balance job's top-up, LV-3);
- one approval step per request and position in the route.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.db_constraints import PostgresExclusionConstraint
from callcenter.models import BilingualNamed, Employee, VersionedPolicy, register_policy

__all__ = [
    "DAYS",
    "LEAVE_HOLDING_STATUSES",
    "ApprovalDelegation",
    "ApprovalTier",
    "DayCounting",
    "LeaveApprovalStep",
    "LeaveBalance",
    "LeaveBalanceEntry",
    "LeaveBalanceEntryReason",
    "LeaveCertificate",
    "LeavePolicy",
    "LeaveRequest",
    "LeaveRule",
    "LeaveStatus",
    "LeaveType",
    "StepStatus",
]

DAYS = {"max_digits": 5, "decimal_places": 1}


@register_policy
class LeavePolicy(VersionedPolicy):
    """Leave entitlements and approval authority (LV-2, LV-3, LV-4)."""

    description = _("Leave entitlements and approval authority (LV-2, LV-3, LV-4).")

    approve_supervisor_max_days = models.DecimalField(
        _("team supervisor approves up to (days)"),
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Requests up to this many days need the team supervisor (部门主管)."),
        **DAYS,
    )
    approve_manager_max_days = models.DecimalField(
        _("department manager approves up to (days)"),
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Longer requests go to the company leader in charge (公司分管领导)."),
        **DAYS,
    )
    approval_direct = models.BooleanField(
        _("send to the deciding authority only"),
        default=False,
        help_text=_("Off: the request climbs the chain from the direct supervisor up to the authority it needs."),
    )
    annual_days_under_10_years = models.PositiveSmallIntegerField(
        _("annual leave, 1 to under 10 years worked (days)"), default=5, validators=[MaxValueValidator(366)]
    )
    annual_days_10_to_20_years = models.PositiveSmallIntegerField(
        _("annual leave, 10 to under 20 years worked (days)"), default=10, validators=[MaxValueValidator(366)]
    )
    annual_days_20_years = models.PositiveSmallIntegerField(
        _("annual leave, 20 years worked or more (days)"), default=15, validators=[MaxValueValidator(366)]
    )
    marriage_days = models.PositiveSmallIntegerField(
        _("marriage leave (working days)"), default=3, validators=[MaxValueValidator(366)]
    )
    maternity_days = models.PositiveSmallIntegerField(
        _("maternity leave (calendar days)"), default=98, validators=[MaxValueValidator(366)]
    )
    maternity_difficult_birth_days = models.PositiveSmallIntegerField(
        _("maternity leave, extra for a difficult birth (days)"), default=15, validators=[MaxValueValidator(366)]
    )
    maternity_extra_baby_days = models.PositiveSmallIntegerField(
        _("maternity leave, extra per additional baby (days)"), default=15, validators=[MaxValueValidator(366)]
    )
    paternity_days = models.PositiveSmallIntegerField(
        _("paternity leave (working days)"), default=15, validators=[MaxValueValidator(366)]
    )
    bereavement_days = models.PositiveSmallIntegerField(
        _("bereavement leave (working days)"), default=3, validators=[MaxValueValidator(366)]
    )
    personal_notice_days = models.PositiveSmallIntegerField(
        _("personal leave: file at least this many days ahead"),
        default=1,
        validators=[MaxValueValidator(60)],
        help_text=_("0: before the first day starts."),
    )

    articles = {
        "approve_supervisor_max_days": "LV-4",
        "approve_manager_max_days": "LV-4",
        "approval_direct": "LV-4",
        "annual_days_under_10_years": "LV-3",
        "annual_days_10_to_20_years": "LV-3",
        "annual_days_20_years": "LV-3",
        "marriage_days": "LV-3",
        "maternity_days": "LV-3",
        "maternity_difficult_birth_days": "LV-3",
        "maternity_extra_baby_days": "LV-3",
        "paternity_days": "LV-3",
        "bereavement_days": "LV-3",
        "personal_notice_days": "LV-2",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("leave policy")
        verbose_name_plural = _("leave policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(approve_supervisor_max_days__gt=0)
                & Q(approve_manager_max_days__gte=F("approve_supervisor_max_days")),
                name="leave_policy_tiers_ordered",
                violation_error_message=_(
                    "The department manager's limit must be at least the team supervisor's limit (LV-4)."
                ),
            ),
        ]


class LeaveRule(models.TextChoices):
    """Which article's rule a leave type follows (LV-1, LV-3)."""

    ANNUAL = "annual", _("Annual leave (entitlement by years worked)")
    SICK = "sick", _("Sick leave (hospital certificate)")
    PERSONAL = "personal", _("Personal leave (reason, expected days, in advance)")
    MARRIAGE = "marriage", _("Marriage leave")
    MATERNITY = "maternity", _("Maternity leave")
    PATERNITY = "paternity", _("Paternity leave")
    BEREAVEMENT = "bereavement", _("Bereavement leave")
    CUSTOM = "custom", _("Company-defined type")


class DayCounting(models.TextChoices):
    WORKING = "working", _("Working days (holidays and rest days not counted)")
    CALENDAR = "calendar", _("Calendar days")


class LeaveType(BilingualNamed, models.Model):
    """A kind of leave (LV-1). The seven of the regulation are installed; HR can add more."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    rule = models.CharField(_("rule"), max_length=12, choices=LeaveRule.choices, default=LeaveRule.CUSTOM)
    counting = models.CharField(_("counting"), max_length=10, choices=DayCounting.choices, default=DayCounting.WORKING)
    requires_certificate = models.BooleanField(_("needs a certificate"), default=False)
    uses_balance = models.BooleanField(
        _("deducted from a yearly balance"),
        default=False,
        help_text=_("Annual leave always is; for a company-defined type HR grants the balances."),
    )
    max_days_per_request = models.DecimalField(
        _("at most per request (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Company-defined types only; the statutory types take their limits from the leave policy."),
        **DAYS,
    )
    allow_half_days = models.BooleanField(_("half days allowed"), default=True)
    paid = models.BooleanField(_("paid"), default=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("leave type")
        verbose_name_plural = _("leave types")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_days_per_request__isnull=True) | Q(max_days_per_request__gt=0),
                name="leave_type_max_days_positive",
            ),
            models.CheckConstraint(
                condition=~Q(rule="annual") | Q(uses_balance=True), name="leave_type_annual_uses_balance"
            ),
        ]

    def __str__(self):
        return self.display_name


class LeaveBalance(models.Model):
    """Days of one leave type an employee may take in one calendar year (LV-3).

    ``detail`` explains the grant (years worked, the table line, pro-rating)."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    entitled_days = models.DecimalField(_("entitled (days)"), **DAYS)
    used_days = models.DecimalField(_("used (days)"), default=Decimal("0"), **DAYS)
    detail = models.JSONField(_("how it was granted"), default=dict, blank=True)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("leave balance")
        verbose_name_plural = _("leave balances")
        ordering = ["-year", "employee_id", "leave_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "leave_type", "year"], name="leave_balance_one_per_year"),
            models.CheckConstraint(condition=Q(entitled_days__gte=0), name="leave_balance_entitled_non_negative"),
            models.CheckConstraint(
                condition=Q(used_days__gte=0) & Q(used_days__lte=F("entitled_days")),
                name="leave_balance_never_below_zero",
            ),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.leave_type_id} {self.year}"

    @property
    def remaining_days(self) -> Decimal:
        return self.entitled_days - self.used_days


class LeaveBalanceEntryReason(models.TextChoices):
    MILESTONE = "milestone", _("Milestone of cumulative work reached during the year")


class LeaveBalanceEntry(models.Model):
    """A change the balance job made to a balance after granting it, with its reason and article
    (LV-3): the first 12 months, the 10th or the 20th year of cumulative work reached during the
    year adds the difference, pro rata. One entry per balance and milestone: the job can run any
    number of times and the balance grows once. Entries are never edited (HR corrects a balance
    with ``leave_balance_set``, audited)."""

    balance = models.ForeignKey(
        LeaveBalance, verbose_name=_("balance"), on_delete=models.PROTECT, related_name="entries"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=LeaveBalanceEntryReason.choices)
    milestone_years = models.PositiveSmallIntegerField(_("years of cumulative work"))
    effective_on = models.DateField(_("effective from"))
    days = models.DecimalField(_("days added"), **DAYS)
    article = models.CharField(_("article"), max_length=10, default="LV-3")
    detail = models.JSONField(_("how it was computed"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("leave balance entry")
        verbose_name_plural = _("leave balance entries")
        ordering = ["balance_id", "effective_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["balance", "reason", "milestone_years"], name="leave_balance_entry_one_per_milestone"
            ),
            models.CheckConstraint(condition=Q(days__gte=0), name="leave_balance_entry_days_non_negative"),
        ]

    def __str__(self):
        return f"{self.balance_id} {self.reason} {self.milestone_years} {self.days}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Revoked")


# Statuses that hold the days: a new request may not overlap them.
LEAVE_HOLDING_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


class LeaveRequest(models.Model):
    """One leave request (ATT-3). ``days`` and ``breakdown`` say how the request counts, day by
    day (LV-3); ``route`` says who approves and why (LV-4). Both are fixed at submission."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    leave_type = models.ForeignKey(LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("first day"))
    starts_afternoon = models.BooleanField(_("starts in the afternoon"), default=False)
    end_date = models.DateField(_("last day"))
    ends_at_noon = models.BooleanField(_("ends at noon"), default=False)
    # Half-day slots [span_start, span_end): day d's morning is 2 * ordinal(d), its afternoon
    # 2 * ordinal(d) + 1. Two requests overlap exactly when their slot ranges do.
    span_start = models.IntegerField(editable=False)
    span_end = models.IntegerField(editable=False)
    days = models.DecimalField(_("days counted"), **DAYS)
    breakdown = models.JSONField(_("how the days count"), default=list, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    expected_days = models.DecimalField(_("expected number of days"), null=True, blank=True, **DAYS)
    difficult_birth = models.BooleanField(_("difficult birth"), default=False)
    extra_babies = models.PositiveSmallIntegerField(_("additional babies"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    route = models.JSONField(_("approval route"), default=dict, blank=True)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_request_end_not_before_start"
            ),
            models.CheckConstraint(condition=Q(days__gte=0), name="leave_request_days_non_negative"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True) | ~Q(status="pending"),
                name="leave_request_pending_is_undecided",
            ),
            models.CheckConstraint(condition=Q(span_end__gt=F("span_start")), name="leave_request_span_not_empty"),
            PostgresExclusionConstraint(
                name="leave_request_no_overlap",
                expressions=[
                    ("employee", RangeOperators.EQUAL),
                    (Func(F("span_start"), F("span_end"), function="int4range"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["pending", "approved"]),
                violation_error_message=_("You already have a leave request for some of these days."),
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "status"], name="leave_request_emp_status_idx"),
            models.Index(fields=["status", "start_date"], name="leave_request_status_start_idx"),
            # The request lists' order (newest first): page 1 of 20,000 requests walks 50 index
            # entries instead of joining and sorting them all (bench leave: 101 ms -> 1 ms).
            models.Index(fields=["-submitted_at", "-id"], name="leave_request_submitted_idx"),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.leave_type_id} {self.start_date}–{self.end_date} {self.status}"

    @staticmethod
    def span_for(start_date, starts_afternoon: bool, end_date, ends_at_noon: bool) -> tuple[int, int]:
        first = 2 * start_date.toordinal() + (1 if starts_afternoon else 0)
        last_exclusive = 2 * end_date.toordinal() + (1 if ends_at_noon else 2)
        return first, last_exclusive

    def set_span(self) -> None:
        self.span_start, self.span_end = self.span_for(
            self.start_date, self.starts_afternoon, self.end_date, self.ends_at_noon
        )

    def part_of(self, day) -> str | None:
        """``full``, ``morning`` or ``afternoon``: the part of ``day`` this request covers."""
        if day < self.start_date or day > self.end_date:
            return None
        morning = not (day == self.start_date and self.starts_afternoon)
        afternoon = not (day == self.end_date and self.ends_at_noon)
        if morning and afternoon:
            return "full"
        return "morning" if morning else "afternoon"


class ApprovalTier(models.TextChoices):
    SUPERVISOR = "supervisor", _("Team supervisor")
    MANAGER = "manager", _("Department manager")
    LEADER = "leader", _("Company leader in charge")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Not needed any more")


class LeaveApprovalStep(models.Model):
    """One approver on a request's route (LV-4), in order. Only the first pending step can act."""

    request = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    tier = models.CharField(_("tier"), max_length=12, choices=ApprovalTier.choices)
    approver = models.ForeignKey(Employee, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+")
    decides = models.BooleanField(_("decides"), default=False, help_text=_("The authority the length needs."))
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.WAITING)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    on_behalf = models.BooleanField(_("as a delegate"), default=False)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="leave_step_one_per_position"),
        ]
        indexes = [models.Index(fields=["approver", "status"], name="leave_step_approver_status_idx")]

    def __str__(self):
        return f"{self.request_id}#{self.order} {self.tier} {self.status}"


class LeaveCertificate(models.Model):
    """A hospital certificate (LV-2) or other supporting document. Stored outside the public
    media path; served only to people who may see the request."""

    request = models.ForeignKey(LeaveRequest, on_delete=models.PROTECT, related_name="certificates")
    path = models.CharField(_("stored as"), max_length=300, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("leave certificate")
        verbose_name_plural = _("leave certificates")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class ApprovalDelegation(models.Model):
    """An approver away for a period hands their leave approvals to a named colleague (LV-4)."""

    delegator = models.ForeignKey(Employee, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(Employee, verbose_name=_("delegate"), on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=~Q(delegate=F("delegator")), name="delegation_not_to_self"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="delegation_end_not_before_start"),
        ]
        indexes = [models.Index(fields=["delegate", "start_date", "end_date"], name="delegation_delegate_idx")]

    def __str__(self):
        return f"{self.delegator_id} -> {self.delegate_id} {self.start_date}–{self.end_date}"
