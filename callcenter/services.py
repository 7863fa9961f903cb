"""Writes of the core app: one function per business action, atomic and audited."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from datasecurity.audit import audit_record, model_changes, snapshot

from .errors import ApplicationError
from .models import (
    Department,
    Employee,
    EmploymentStatus,
    JobRun,
    JobRunStatus,
    Notification,
    Position,
    Team,
    User,
)
from .policy import VersionedPolicy
from .roles import Role

EMPLOYEE_FIELDS = [
    "employee_no",
    "name",
    "department",
    "team",
    "position",
    "hire_date",
    "first_employed_on",
    "monthly_base_pay",
    "bonus_base",
    "status",
    "left_on",
]


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)


# --- Users and employees --------------------------------------------------------------------


@transaction.atomic
def employee_create(
    *,
    actor,
    username: str,
    employee_no: str,
    name: str,
    department: Department,
    position: Position,
    hire_date: datetime.date,
    monthly_base_pay: Decimal,
    bonus_base: Decimal,
    team: Team | None = None,
    first_employed_on: datetime.date | None = None,
    roles: list[str] | tuple[str, ...] = (Role.AGENT,),
    email: str = "",
    initial_password: str | None = None,
) -> Employee:
    """Create a login and its employee record (GEN-2). The first login forces a new password."""
    if team is not None and team.department_id != department.pk:
        raise ApplicationError(_("The team does not belong to the chosen department."), code="team_department_mismatch")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("This username is already taken."), code="username_taken")
    user = User(username=username, email=email, must_change_password=True)
    if initial_password:
        user.set_password(initial_password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    employee = Employee(
        user=user,
        employee_no=employee_no,
        name=name,
        department=department,
        team=team,
        position=position,
        hire_date=hire_date,
        first_employed_on=first_employed_on or hire_date,
        monthly_base_pay=monthly_base_pay,
        bonus_base=bonus_base,
    )
    try:
        employee.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ApplicationError(_validation_message(exc), code="invalid") from exc
    employee.save()
    audit_record(
        actor=actor,
        action="employee.create",
        obj=employee,
        changes={
            **model_changes(employee, None, EMPLOYEE_FIELDS),
            "username": username,
            "roles": ", ".join(sorted(roles)),
        },
    )
    return employee


@transaction.atomic
def employee_update(*, actor, employee: Employee, **fields) -> Employee:
    """Change an employee's HR fields (not status: see ``employee_deactivate``)."""
    allowed = set(EMPLOYEE_FIELDS) - {"status", "left_on"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    before = snapshot(employee, EMPLOYEE_FIELDS)
    for name, value in fields.items():
        setattr(employee, name, value)
    if employee.team_id and employee.team.department_id != employee.department_id:
        raise ApplicationError(_("The team does not belong to the chosen department."), code="team_department_mismatch")
    try:
        employee.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ApplicationError(_validation_message(exc), code="invalid") from exc
    changes = model_changes(employee, before, EMPLOYEE_FIELDS)
    if changes:
        employee.save(update_fields=list(fields))
        audit_record(actor=actor, action="employee.update", obj=employee, changes=changes)
    return employee


def _end_user_sessions(user: User) -> int:
    """Delete every live session and API token of ``user`` (SEC-2; OrangeHRM CVE-2025-66289)."""
    ended = 0
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=1000):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    Token.objects.filter(user=user).delete()
    return ended


@transaction.atomic
def employee_deactivate(*, actor, employee: Employee, left_on: datetime.date) -> Employee:
    """An employee leaves: keep the history (GEN-1), end the account and its sessions."""
    employee = Employee.objects.select_for_update().select_related("user").get(pk=employee.pk)
    if employee.status == EmploymentStatus.LEFT:
        raise ApplicationError(_("This employee has already left."), code="already_left")
    if actor is not None and getattr(actor, "pk", None) == employee.user_id:
        raise ApplicationError(_("You cannot deactivate your own account."), code="self_deactivation")
    if left_on < employee.hire_date:
        raise ApplicationError(_("The leaving date cannot be before the hire date."), code="invalid_date")
    employee.status = EmploymentStatus.LEFT
    employee.left_on = left_on
    employee.save(update_fields=["status", "left_on"])
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_user_sessions(user)
    audit_record(
        actor=actor,
        action="employee.deactivate",
        obj=employee,
        changes={"status": ["active", "left"], "left_on": [None, left_on], "sessions_ended": ended},
    )
    return employee


@transaction.atomic
def user_password_change(*, user: User, new_password: str, actor=None) -> User:
    """Set a new password: validators apply, other sessions and API tokens end (SEC-2)."""
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from exc
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.check_password(new_password):
        raise ApplicationError(_("The new password must differ from the current one."), code="password_reused")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    Token.objects.filter(user=user).delete()
    audit_record(actor=actor or user, action="user.password_change", obj=user, changes={"password": "changed"})
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    valid = dict(User._meta.get_field("preferred_language").choices)
    if language not in valid:
        raise ApplicationError(_("Unknown language."), code="invalid_language")
    if user.preferred_language != language:
        old = user.preferred_language
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit_record(actor=user, action="user.language_set", obj=user, changes={"preferred_language": [old, language]})
    return user


# --- Org records (admin) --------------------------------------------------------------------


@transaction.atomic
def org_record_save(*, actor, instance, changed_fields: list[str] | None = None, created: bool = False):
    """Save a department, team or position edited in the admin, with its audit event."""
    if not isinstance(instance, Department | Team | Position):
        raise ApplicationError(_("Not an organisation record."))
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ApplicationError(_validation_message(exc)) from exc
    instance.save()
    fields = changed_fields or [f.name for f in instance._meta.concrete_fields if f.name != "id"]
    verb = "create" if created else "update"
    audit_record(
        actor=actor,
        action=f"{instance._meta.model_name}.{verb}",
        obj=instance,
        changes=model_changes(instance, None, fields),
    )
    return instance


# --- Policies -------------------------------------------------------------------------------


@transaction.atomic
def policy_version_create(
    *, actor, model: type[VersionedPolicy], effective_from: datetime.date, values: dict, note: str = ""
) -> VersionedPolicy:
    """A new policy version. Past and current versions are never edited: past months keep the
    rules they were computed with."""
    today = timezone.localdate()
    if effective_from < today:
        raise ApplicationError(
            _("A new version cannot take effect in the past; past months keep their rules."), code="retroactive_policy"
        )
    unknown = set(values) - {f.name for f in model.parameter_fields()}
    if unknown:
        raise ApplicationError(_("Unknown policy parameters: %(p)s") % {"p": ", ".join(sorted(unknown))})
    version = model(effective_from=effective_from, note=note, created_by=actor, **values)
    try:
        version.full_clean(validate_unique=False)  # the unique date is the database's job, below
    except ValidationError as exc:
        raise ApplicationError(_validation_message(exc)) from exc
    try:
        # A savepoint: two HR users saving the same date at once meet the unique constraint.
        with transaction.atomic():
            version.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A version taking effect on %(d)s already exists.") % {"d": effective_from.isoformat()},
            code="duplicate_effective_date",
        ) from exc
    audit_record(
        actor=actor,
        action="policy.version_create",
        obj=version,
        changes={"effective_from": effective_from, "note": note, **{k: [None, v] for k, v in values.items()}},
    )
    return version


# --- Periodic jobs --------------------------------------------------------------------------


def job_run_start(*, job: str, task_id: str = "") -> JobRun:
    return JobRun.objects.create(job=job, task_id=task_id, started_at=timezone.now())


def job_run_finish(*, run: JobRun, succeeded: bool, detail: str = "") -> JobRun:
    run.finished_at = timezone.now()
    run.status = JobRunStatus.SUCCEEDED if succeeded else JobRunStatus.FAILED
    run.detail = detail[:5000]
    run.save(update_fields=["finished_at", "status", "detail"])
    return run


@transaction.atomic
def policy_defaults_install(*, actor=None, effective_from: datetime.date = datetime.date(2000, 1, 1)) -> list:
    """Install the regulation's defaults as the first version of every registered policy that has
    none yet (a new installation, demo data). Idempotent."""
    from .policy import POLICY_REGISTRY

    created = []
    for model in POLICY_REGISTRY.values():
        if model.objects.exists():
            continue
        version = model.objects.create(effective_from=effective_from, note="Regulation defaults", created_by=actor)
        audit_record(
            actor=actor, action="policy.defaults_install", obj=version, changes={"effective_from": effective_from}
        )
        created.append(version)
    return created


# --- Notifications --------------------------------------------------------------------------
# Not audited: a notification is a consequence of an action that is (leave approved, ...), it
# holds no HR data of its own, and auditing every one would double the audit trail.

NOTIFICATION_KIND_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def _recipient_user_id(recipient) -> int:
    """A User, an Employee (its login) or a user id."""
    if isinstance(recipient, Employee):
        return recipient.user_id
    return getattr(recipient, "pk", recipient)


def _notification_url_check(url: str) -> str:
    # A site-relative path only: no scheme, no host, no "//host" or "/\host" (open redirect).
    if url and (not url.startswith("/") or url.startswith(("//", "/\\")) or any(c in url for c in "\r\n\t\\")):
        raise ApplicationError(_("A notification link must be a path on this site."), code="invalid_url")
    return url


def _render_for(language: str, text, params: dict | None, limit: int | None = None) -> str:
    """``text`` (lazy or plain) in ``language``, filled with ``params`` (whose lazy values are
    translated in the same language)."""
    with translation.override(language):
        rendered = str(text)
        if params is not None:
            rendered = rendered % params
    return Truncator(rendered).chars(limit) if limit else rendered


@transaction.atomic
def notification_send(
    *,
    recipients,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify ``recipients`` (Users, Employees or user ids) in the app and, after commit, by e-mail.

    ``title`` and ``body`` are translatable (``gettext_lazy`` with ``%(name)s`` placeholders);
    each recipient gets them in their own ``preferred_language``, filled with ``params``.
    Inactive users and duplicates are skipped. Call it inside the caller's transaction: the
    notifications are written with it, and the e-mails are queued only once it commits (one
    Celery task for the batch, carrying ids).
    """
    if not NOTIFICATION_KIND_RE.match(kind or "") or len(kind) > 50:
        raise ApplicationError(_("Invalid notification kind."), code="invalid_kind")
    url = _notification_url_check(url or "")
    wanted: list[int] = []
    for recipient in recipients:
        user_id = _recipient_user_id(recipient)
        if user_id is not None and user_id not in wanted:
            wanted.append(user_id)
    if not wanted:
        return []
    # Read is_active and the language from the database: the caller's instances may be stale.
    users = User.objects.filter(pk__in=wanted, is_active=True).only("pk", "email", "preferred_language").in_bulk()
    now = timezone.now()
    notifications = []
    for user_id in wanted:
        user = users.get(user_id)
        if user is None:
            continue
        language = user.preferred_language or settings.LANGUAGE_CODE
        notifications.append(
            Notification(
                recipient=user,
                kind=kind,
                title=_render_for(language, title, params, limit=200),
                body=_render_for(language, body, params) if body else "",
                url=url,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(notifications)
    to_email = [n.pk for n in notifications if n.recipient.email]
    if email and to_email:
        from .tasks import notification_email_send as email_task

        email_task.delay_on_commit(to_email)
    return notifications


def notification_mark_read(*, actor, notification_ids=None) -> int:
    """Mark ``actor``'s own notifications read (all unread ones when ``notification_ids`` is None).
    Ids of other users' notifications are ignored. Returns how many were marked."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def _notification_email_text(notification: Notification) -> tuple[str, str]:
    """Subject and text of the e-mail, in the recipient's language."""
    with translation.override(notification.recipient.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(notification.title.split())  # one header line, whatever the title holds
        parts = [notification.body] if notification.body else []
        if notification.url:
            link = settings.SITE_URL.rstrip("/") + notification.url
            parts.append(_("Open: %(link)s") % {"link": link})
        parts.append("-- \n" + _("Call Center HR & Operations"))
    return subject, "\n\n".join(parts)


def notification_email_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification once (idempotent: a run twice, or a retry after a failure, never
    resends one whose ``emailed_at`` is set). Returns how many e-mails went out.

    One transaction per notification holding its row lock while it is sent, so two workers never
    send the same one, and a failed send leaves the rest to the task's retry.
    """
    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(
                    pk=notification_id,
                    emailed_at__isnull=True,
                    recipient__is_active=True,
                    recipient__email__gt="",
                )
                .first()
            )
            if notification is None:
                continue
            subject, text = _notification_email_text(notification)
            send_mail(subject, text, None, [notification.recipient.email])
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            sent += 1
    return sent
