"""Org model: users, departments, teams, positions (岗位), employees and reporting lines; job runs
and in-app notifications."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .policy import VersionedPolicy, register_policy


class BilingualNamed:
    """Mixin for records HR names in both languages (``name`` in Chinese, ``name_en``): the name
    in the reader's active language."""

    @property
    def display_name(self) -> str:
        lang = translation.get_language() or ""
        return self.name if lang.startswith("zh") or not self.name_en else self.name_en


class User(AbstractUser):
    """A login. Every employee has one (GEN-2); leavers are deactivated, never deleted (GEN-1)."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=True,
        help_text=_("Forced password change at next login (SEC-2)."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Department(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    manager = models.ForeignKey(
        "Employee",
        verbose_name=_("department manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
    )
    leader_in_charge = models.ForeignKey(
        "Employee",
        verbose_name=_("company leader in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Team(models.Model):
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="teams"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    supervisor = models.ForeignKey(
        "Employee",
        verbose_name=_("team supervisor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Position(models.Model):
    """A post (岗位); appraisal indicator weights are per post (PRF-1)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self):
        return self.name


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class Employee(models.Model):
    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="employee")
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="employees"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="+")
    hire_date = models.DateField(_("hire date"))
    first_employed_on = models.DateField(
        _("date first employed"), help_text=_("Start of cumulative working years for annual leave (LV-3).")
    )
    monthly_base_pay = models.DecimalField(
        _("monthly base pay"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    bonus_base = models.DecimalField(
        _("performance bonus base"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Base of the monthly performance bonus (PRF-4)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EmploymentStatus.choices, default=EmploymentStatus.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_base_pay__gte=0), name="employee_base_pay_non_negative"),
            models.CheckConstraint(condition=Q(bonus_base__gte=0), name="employee_bonus_base_non_negative"),
            models.CheckConstraint(
                condition=(Q(status="active", left_on__isnull=True) | Q(status="left", left_on__isnull=False)),
                name="employee_left_on_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(first_employed_on__lte=models.F("hire_date")),
                name="employee_first_employed_not_after_hire",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="employee_dept_status_idx"),
            models.Index(fields=["team", "status"], name="employee_team_status_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_no})"

    @property
    def is_active(self) -> bool:
        return self.status == EmploymentStatus.ACTIVE


@register_policy
class AccountPolicy(VersionedPolicy):
    """Account and password rules (SEC-2)."""

    password_max_age_days = models.PositiveIntegerField(
        _("password maximum age (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("Users must change their password after this many days (SEC-2)."),
    )

    articles = {"password_max_age_days": "SEC-2"}

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("account policy")
        verbose_name_plural = _("account policies")
        constraints = [
            models.CheckConstraint(condition=Q(password_max_age_days__gte=1), name="account_policy_max_age_positive")
        ]


class JobRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a periodic job, for the admins' health page."""

    job = models.CharField(_("job"), max_length=100, db_index=True)
    task_id = models.CharField(_("task id"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobRunStatus.choices, default=JobRunStatus.RUNNING)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class Notification(models.Model):
    """A message to one user, shown in the app (bell, /notifications/) and e-mailed once.

    Title and body are stored already rendered in the recipient's language (see
    ``services.notification_send``), so the list costs no translation work at read time.
    """

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(
        _("kind"),
        max_length=50,
        validators=[
            RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", _("Use lowercase words joined by dots, e.g. leave.pending."))
        ],
        help_text=_("What the notification is about, e.g. leave.pending."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path on this site, e.g. /leave/12/."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Only site-relative paths: a notification must never link off-site ("//host", "/\host").
            models.CheckConstraint(
                condition=Q(url="") | (Q(url__startswith="/") & ~Q(url__startswith="//") & ~Q(url__startswith="/\\")),
                name="notification_url_site_relative",
            ),
        ]
        indexes = [
            # The bell (unread count) and the list, both per recipient.
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
