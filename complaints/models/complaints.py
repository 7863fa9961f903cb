"""Customer complaints (CMP-1..CMP-4): intake, emergency handling, investigation, resolution plans,
follow-up visits and the SLA clock. The customer's contact details are what SEC-2 protects: they
are shown masked unless the reader's role needs them, and revealing them is audited.

Invariants held by the database:
- one reference number per complaint; satisfaction 1..5; a closed complaint has a closing time;
- one plan version per complaint and number; timeline entries are append-only (no update path).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import BilingualNamed, Employee, Team, VersionedPolicy, register_policy

__all__ = [
    "Channel",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintEvent",
    "ComplaintPolicy",
    "ComplaintStatus",
    "EventKind",
    "FollowUp",
    "ResolutionPlan",
    "Urgency",
]


@register_policy
class ComplaintPolicy(VersionedPolicy):
    """Response and resolution deadlines by urgency, and what counts as satisfied (CMP-1..CMP-3)."""

    description = _("Response and resolution deadlines by urgency, and what counts as satisfied (CMP-1..CMP-3).")

    first_response_hours_urgent = models.PositiveSmallIntegerField(
        _("urgent: first response within (hours)"), default=2, validators=[MinValueValidator(1)]
    )
    first_response_hours_normal = models.PositiveSmallIntegerField(
        _("normal: first response within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    resolution_hours_urgent = models.PositiveSmallIntegerField(
        _("urgent: resolution within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    resolution_hours_normal = models.PositiveSmallIntegerField(
        _("normal: resolution within (hours)"), default=120, validators=[MinValueValidator(1)]
    )
    satisfied_from_score = models.PositiveSmallIntegerField(
        _("satisfied from score"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("A follow-up score at or above this closes the complaint; below it reopens it (CMP-3)."),
    )

    articles = {
        "first_response_hours_urgent": "CMP-1",
        "first_response_hours_normal": "CMP-2",
        "resolution_hours_urgent": "CMP-1",
        "resolution_hours_normal": "CMP-2",
        "satisfied_from_score": "CMP-3",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("complaint policy")
        verbose_name_plural = _("complaint policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfied_from_score__gte=1) & Q(satisfied_from_score__lte=5),
                name="complaint_policy_satisfied_score_range",
            ),
        ]


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    ONLINE = "online", _("Online")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("New")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved, awaiting follow-up")
    CLOSED = "closed", _("Closed")


class ComplaintCategory(BilingualNamed, models.Model):
    """What the complaint is about (CMP-4 statistics by type)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.display_name


class Complaint(models.Model):
    """One customer complaint (CMP-1). ``phone``/``email`` are stored normalised and never
    written to the audit trail; lists show them masked."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    customer_name = models.CharField(_("customer name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    matter = models.TextField(_("matter"), max_length=4000)
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    concerned_team = models.ForeignKey(
        Team, verbose_name=_("team concerned"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concerned_employees = models.ManyToManyField(
        Employee, verbose_name=_("agents concerned"), blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_employee = models.ForeignKey(
        Employee, verbose_name=_("recorded by (employee)"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=50, default="staff", help_text=_("staff, or the integration"))
    status = models.CharField(_("status"), max_length=15, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW)
    owner = models.ForeignKey(
        Employee, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # SLA clock (CMP-1, CMP-2): due times move forward by the time the clock was paused.
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    paused_since = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("time paused (seconds)"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | (Q(satisfaction__gte=1) & Q(satisfaction__lte=5)),
                name="complaint_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="complaint_closed_has_time"
            ),
            models.CheckConstraint(condition=~Q(phone="") | ~Q(email=""), name="complaint_has_a_contact"),
        ]
        indexes = [
            models.Index(fields=["status", "urgency", "first_response_due"], name="complaint_queue_idx"),
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            models.Index(fields=["owner", "status"], name="complaint_owner_status_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CLOSED


class EventKind(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    EVIDENCE = "evidence", _("Evidence")
    CUSTOMER_CONTACT = "customer_contact", _("Talk with the customer")
    DEPARTMENT_CONTACT = "department_contact", _("Talk with a department")
    PROGRESS_SENT = "progress_sent", _("Progress update sent to the customer")
    PLAN = "plan", _("Resolution plan")
    RESOLVED = "resolved", _("Resolved")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    PAUSED = "paused", _("Clock paused (waiting for the customer)")
    RESUMED = "resumed", _("Clock resumed")
    ESCALATED = "escalated", _("Escalated (SLA)")
    CONCERNED = "concerned", _("Agents or team concerned changed")


class ComplaintEvent(models.Model):
    """The complaint's timeline (CMP-2): every contact, note, plan and state change, append-only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    text = models.TextField(_("text"), max_length=4000, blank=True)
    call_reference = models.CharField(_("call reference"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.kind}"


class ResolutionPlan(models.Model):
    """A resolution plan with a responsible person and a deadline (CMP-2); a reopened complaint
    gets a new version, the old ones are kept."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    description = models.TextField(_("plan"), max_length=4000)
    responsible = models.ForeignKey(Employee, verbose_name=_("responsible"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(_("deadline"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resolution plan")
        verbose_name_plural = _("resolution plans")
        ordering = ["complaint_id", "version"]
        constraints = [models.UniqueConstraint(fields=["complaint", "version"], name="plan_one_per_version")]

    def __str__(self):
        return f"{self.complaint_id} v{self.version}"


class FollowUp(models.Model):
    """The follow-up visit after resolution (CMP-3): the customer's satisfaction and comment."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="follow_ups")
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["complaint_id", "at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1) & Q(satisfaction__lte=5), name="follow_up_satisfaction_range"
            ),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.satisfaction}"


class ComplaintAttachment(models.Model):
    """Evidence attached to a complaint (CMP-2): PDF, JPEG or PNG checked by content, stored
    outside the public media path, downloaded only by people who may see the complaint (audited)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        ComplaintEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    path = models.CharField(_("stored as"), max_length=300, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
