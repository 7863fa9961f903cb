"""Writes of the org: employees hired, changed and deactivated (GEN-1, GEN-2), departments, teams and positions."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, validation_message
from callcenter.models import (
    ApiTokenRevokedReason,
    Department,
    Employee,
    EmploymentStatus,
    Position,
    Team,
    User,
)
from callcenter.roles import Role
from callcenter.services.accounts import user_api_tokens_end
from callcenter.services.changes import employee_change_record
from datasecurity.services import audit_record, model_changes, snapshot

__all__ = [
    "EMPLOYEE_FIELDS",
    "employee_create",
    "employee_deactivate",
    "employee_update",
    "org_record_save",
]

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
        raise ApplicationError(
            _("The team does not belong to the chosen department."), code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH
        )
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("This username is already taken."), code=CoreErrorCode.USERNAME_TAKEN)
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
        raise ApplicationError(validation_message(exc), code=CoreErrorCode.INVALID) from exc
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


@privileged_service("callcenter.employee_update", label=gettext_lazy("change an employee's HR record"))
@transaction.atomic
def employee_update(*, actor, employee_id: int, **fields) -> Employee:
    """Correct an employee's HR fields today (not status: see ``employee_deactivate``), recorded in
    the employment history (GEN-2) as a transfer, a pay change or another change by its fields.
    Changes with an effective date go through ``employee_transfer`` / ``employee_pay_change``."""
    allowed = set(EMPLOYEE_FIELDS) - {"status", "left_on"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    employee = Employee.objects.select_for_update().get(pk=employee_id)
    # Pay, position, team: nobody changes their own (SEC-2).
    refuse_own_record(actor=actor, employee_id=employee.pk, action="callcenter.employee_update")
    before = snapshot(employee, EMPLOYEE_FIELDS)
    for name, value in fields.items():
        setattr(employee, name, value)
    if employee.team_id and employee.team.department_id != employee.department_id:
        raise ApplicationError(
            _("The team does not belong to the chosen department."), code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH
        )
    try:
        employee.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise ApplicationError(validation_message(exc), code=CoreErrorCode.INVALID) from exc
    changes = model_changes(employee, before, EMPLOYEE_FIELDS)
    if changes:
        employee.save(update_fields=list(fields))
        event, rerouted = employee_change_record(
            actor=actor, employee=employee, diff=changes, effective_on=timezone.localdate()
        )
        extra = {"event": event.pk, **({"rerouted": rerouted} if rerouted else {})}
        audit_record(actor=actor, action="employee.update", obj=employee, changes={**changes, **extra})
    return employee


def _end_user_sessions(user: User) -> tuple[int, int]:
    """Delete every live session and revoke every API token of ``user`` (SEC-2; OrangeHRM
    CVE-2025-66289). Returns how many sessions and tokens ended."""
    ended = 0
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=1000):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended, user_api_tokens_end(user=user, reason=ApiTokenRevokedReason.DEACTIVATION)


@privileged_service("callcenter.employee_deactivate", label=gettext_lazy("deactivate an employee"))
@transaction.atomic
def employee_deactivate(*, actor, employee_id: int, left_on: datetime.date) -> Employee:
    """An employee leaves: keep the history (GEN-1), end the account and its sessions."""
    employee = Employee.objects.select_for_update().select_related("user").get(pk=employee_id)
    if employee.status == EmploymentStatus.LEFT:
        raise ApplicationError(_("This employee has already left."), code=CoreErrorCode.ALREADY_LEFT)
    refuse_own_record(actor=actor, employee_id=employee.pk, action="callcenter.employee_deactivate")
    if left_on < employee.hire_date:
        raise ApplicationError(_("The leaving date cannot be before the hire date."), code=CoreErrorCode.INVALID_DATE)
    employee.status = EmploymentStatus.LEFT
    employee.left_on = left_on
    employee.save(update_fields=["status", "left_on"])
    user = employee.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended, tokens_ended = _end_user_sessions(user)
    audit_record(
        actor=actor,
        action="employee.deactivate",
        obj=employee,
        changes={
            "status": ["active", "left"],
            "left_on": [None, left_on],
            "sessions_ended": ended,
            "api_tokens_ended": tokens_ended,
        },
    )
    return employee


@transaction.atomic
def org_record_save(*, actor, instance, changed_fields: list[str] | None = None, created: bool = False):
    """Save a department, team or position edited in the admin, with its audit event."""
    if not isinstance(instance, Department | Team | Position):
        raise ApplicationError(_("Not an organisation record."))
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ApplicationError(validation_message(exc)) from exc
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
