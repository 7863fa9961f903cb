"""Reads of the core app. Visibility comes from :mod:`callcenter.visibility`, always."""

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import NotFoundError
from .models import AccountPolicy, Department, Employee, EmploymentStatus, JobRun, Notification, Team
from .policy import POLICY_REGISTRY, VersionedPolicy, policy_in_force
from .roles import Role, has_role, user_roles
from .visibility import Scope, employees_visible_to, user_scope


def employee_of(user) -> Employee | None:
    try:
        return user.employee
    except (Employee.DoesNotExist, AttributeError):
        return None


# --- Employees -------------------------------------------------------------------------------


def employee_list(*, user, filters: dict | None = None) -> QuerySet[Employee]:
    """Employees ``user`` may see, filtered by ``q`` (name / number), department, team, status."""
    filters = filters or {}
    qs = employees_visible_to(user).select_related("department", "team", "position", "user")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q))
    if department := filters.get("department"):
        qs = qs.filter(department_id=department)
    if team := filters.get("team"):
        qs = qs.filter(team_id=team)
    status = filters.get("status", EmploymentStatus.ACTIVE)
    if status in EmploymentStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("employee_no")


def employee_get(*, user, pk) -> Employee:
    """One employee, or NotFoundError when it does not exist *or* is not visible (no leak)."""
    employee = employee_list(user=user, filters={"status": "all"}).filter(pk=pk).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    return employee


def approval_chain(employee: Employee) -> list[tuple[str, Employee]]:
    """The reporting line above an employee: supervisor, manager, leader in charge (LV-4)."""
    chain = []
    team = employee.team
    if team and team.supervisor_id and team.supervisor_id != employee.pk:
        chain.append((Role.SUPERVISOR, team.supervisor))
    dept = employee.department
    if dept.manager_id and dept.manager_id != employee.pk:
        chain.append((Role.DEPARTMENT_MANAGER, dept.manager))
    if dept.leader_in_charge_id and dept.leader_in_charge_id != employee.pk:
        chain.append((Role.COMPANY_LEADER, dept.leader_in_charge))
    return chain


# --- Org structure ---------------------------------------------------------------------------


def department_list(*, user) -> QuerySet[Department]:
    """Departments with active headcount, restricted to those the user can see someone in."""
    visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
    return (
        Department.objects.filter(pk__in=visible.values("department_id"))
        .select_related("manager", "leader_in_charge")
        .annotate(headcount=Count("employees", filter=Q(employees__status=EmploymentStatus.ACTIVE)))
        .order_by("code")
    )


def team_list(*, user) -> QuerySet[Team]:
    visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
    return (
        Team.objects.filter(pk__in=visible.values("team_id"))
        .select_related("department", "supervisor")
        .annotate(headcount=Count("members", filter=Q(members__status=EmploymentStatus.ACTIVE)))
        .order_by("code")
    )


# --- Passwords (SEC-2) -------------------------------------------------------------------------


def password_expires_on(user) -> datetime.date | None:
    if user.password_changed_at is None:
        return None
    policy = policy_in_force(AccountPolicy)
    return timezone.localdate(user.password_changed_at) + datetime.timedelta(days=policy.password_max_age_days)


def password_change_required(*, user, session=None) -> str | None:
    """Why ``user`` must change their password now (SEC-2), or None.

    The age check runs once a day per session (cached in the session), so it costs a query per
    day, not per request.
    """
    if user.must_change_password or user.password_changed_at is None:
        return _("Please choose your own password before you continue (SEC-2).")
    today = timezone.localdate().isoformat()
    if session is not None and session.get("password_checked_on") == today:
        return None
    policy = policy_in_force(AccountPolicy)
    age = timezone.now() - user.password_changed_at
    if age > datetime.timedelta(days=policy.password_max_age_days):
        return _("Your password is older than %(days)d days (SEC-2). Please choose a new one.") % {
            "days": policy.password_max_age_days
        }
    if session is not None:
        session["password_checked_on"] = today
    return None


# --- Policies --------------------------------------------------------------------------------


def policy_models() -> list[type[VersionedPolicy]]:
    return sorted(POLICY_REGISTRY.values(), key=lambda m: m._meta.label_lower)


def policy_model_get(label: str) -> type[VersionedPolicy]:
    model = POLICY_REGISTRY.get(label)
    if model is None:
        raise NotFoundError(_("Unknown policy."))
    return model


def policy_overview() -> list[dict]:
    """Every policy type with the version in force today and the count of versions."""
    today = timezone.localdate()
    rows = []
    for model in policy_models():
        # One query per policy type: versions are few (one per change of the regulation's blanks).
        versions = list(model.objects.order_by("-effective_from"))
        current = next((v for v in versions if v.effective_from <= today), None)
        upcoming = [v for v in versions if v.effective_from > today]
        rows.append(
            {
                "label": model._meta.label_lower,
                "name": model._meta.verbose_name,
                "doc": (model.__doc__ or "").strip(),
                "current": current or policy_in_force(model, today),
                "upcoming": upcoming[-1] if upcoming else None,
                "version_count": len(versions),
            }
        )
    return rows


def policy_versions(model: type[VersionedPolicy]) -> QuerySet:
    return model.objects.select_related("created_by").order_by("-effective_from")


# --- Dashboards --------------------------------------------------------------------------------


def dashboard_get(*, user) -> dict:
    """What the user's dashboard shows, one block per role they hold, queries bounded."""
    me = employee_of(user)
    roles = user_roles(user)
    scope = user_scope(user)
    data: dict = {"me": me, "roles": roles, "scope": scope, "cards": []}
    if me is not None:
        me = Employee.objects.select_related("department", "team__supervisor", "position").get(pk=me.pk)
        data["me"] = me
        data["chain"] = approval_chain(me)
        data["password_expires_on"] = password_expires_on(user)
    if scope >= Scope.TEAM:
        teams = list(team_list(user=user))
        data["teams"] = teams
        data["visible_headcount"] = sum(t.headcount for t in teams)
    if scope >= Scope.DEPARTMENT:
        data["departments"] = list(department_list(user=user))
    if has_role(user, Role.HR):
        data["policies"] = policy_overview()
        data["recent_hires"] = list(
            Employee.objects.select_related("department", "team")
            .filter(status=EmploymentStatus.ACTIVE)
            .order_by("-hire_date", "employee_no")[:8]
        )
        data["leavers_count"] = Employee.objects.filter(status=EmploymentStatus.LEFT).count()
        data["company_headcount"] = sum(d.headcount for d in data.get("departments", []))
    return data


# --- Periodic jobs -----------------------------------------------------------------------------


def _schedule_label(schedule) -> str:
    """A crontab as its five cron fields ("30 1 * * *"), anything else as text."""
    fields = ("_orig_minute", "_orig_hour", "_orig_day_of_month", "_orig_month_of_year", "_orig_day_of_week")
    if all(hasattr(schedule, f) for f in fields):
        return " ".join(str(getattr(schedule, f)) for f in fields)
    return str(schedule)


def periodic_job_status() -> list[dict]:
    """Every job of the beat schedule with its last run (admins' health page)."""
    rows = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last = JobRun.objects.filter(job=name).order_by("-started_at").first()
        last_success = (
            JobRun.objects.filter(job=name, status="succeeded").order_by("-started_at").only("started_at").first()
        )
        rows.append(
            {
                "name": name,
                "label": settings.PERIODIC_JOB_LABELS.get(name, name),
                "task": entry["task"],
                "schedule": _schedule_label(entry["schedule"]),
                "last": last,
                "last_success": last_success,
            }
        )
    return rows


# --- Notifications -----------------------------------------------------------------------------


def notification_list(*, user, filters: dict | None = None) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first; ``unread`` keeps the unread ones."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    filters = filters or {}
    qs = Notification.objects.filter(recipient=user)
    if filters.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_get(*, user, pk) -> Notification:
    """One of ``user``'s notifications, or NotFoundError (also for anyone else's: no leak)."""
    notification = notification_list(user=user).filter(pk=pk).first()
    if notification is None:
        raise NotFoundError(_("Notification not found."))
    return notification


def notification_unread_count(*, user) -> int:
    """The bell's number: one COUNT on the (recipient, read_at, created_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
