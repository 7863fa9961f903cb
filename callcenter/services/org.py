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
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError, validation_message
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
from callcenter.selectors.grants import is_company_hr
from callcenter.services.accounts import user_api_tokens_end
from callcenter.services.changes import employee_change_record
from datasecurity.services import audit_record, model_changes, snapshot

__all__ = [
    "DEPARTMENT_FIELDS",
    "EMPLOYEE_FIELDS",
    "POSITION_FIELDS",
    "TEAM_FIELDS",
    "department_save",
    "employee_create",
    "employee_deactivate",
    "employee_update",
    "position_save",
    "team_save",
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


# --- The org: departments, teams, positions and their reporting lines (issue 13) -------------------
# Company HR and superusers edit them (an HR assistant limited to departments does not: the org is
# company-wide). Nobody appoints themselves (SEC-2); an appointee is an active employee (GEN-2);
# a department never sits under itself; a team left without a supervisor is confirmed (LV-4: its
# members' requests would have no first approver).

DEPARTMENT_FIELDS = ["code", "name", "parent_id", "manager_id", "leader_in_charge_id"]
TEAM_FIELDS = ["code", "name", "department_id", "supervisor_id"]
POSITION_FIELDS = ["code", "name", "description"]
# Parents followed at most: deeper is a cycle already in the data (refused, never looped over).
_MAX_DEPTH = 50


def _org_editor_require(actor) -> None:
    if not is_company_hr(actor):
        raise PermissionDeniedError(_("Only company HR and administrators edit the org (SEC-2)."))


def _locked(model, pk, message: str):
    found = model.objects.select_for_update().filter(pk=pk).first() if pk is not None else None
    if pk is not None and found is None:
        raise NotFoundError(message)
    return found


def _appointee(employee_id: int | None, *, field: str) -> Employee | None:
    """The employee appointed to a reporting line: none, or an active one with an active login (GEN-2)."""
    if employee_id is None:
        return None
    employee = Employee.objects.select_related("user").filter(pk=employee_id).first()
    if employee is None:
        raise ApplicationError(_("Employee not found."), code=CoreErrorCode.NOT_FOUND, field=field)
    if employee.status != EmploymentStatus.ACTIVE or not employee.user.is_active:
        raise ApplicationError(
            _("%(name)s has left: only an active employee can lead a team or a department (GEN-2).")
            % {"name": employee.name},
            code=CoreErrorCode.APPOINTEE_INACTIVE,
            field=field,
        )
    return employee


def _refuse_self_appointment(*, actor, action: str, instance, before: dict | None, fields: list[str]) -> None:
    """SEC-2: nobody appoints themselves to a reporting line (it would widen their own remit).
    Only the appointments this save changes are checked: editing a department one already
    manages is not an appointment."""
    appointed = [
        getattr(instance, name)
        for name in fields
        if getattr(instance, name) is not None and (before is None or before.get(name) != getattr(instance, name))
    ]
    refuse_own_record(actor=actor, action=action, employee_ids=appointed)


def _clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field = next(iter(exc.message_dict), None) if hasattr(exc, "message_dict") else None
        raise ApplicationError(
            validation_message(exc), code=CoreErrorCode.INVALID, field=field if field != "__all__" else None
        ) from exc


def _audit_save(*, actor, instance, before: dict | None, fields: list[str]) -> None:
    changes = model_changes(instance, before, fields)
    if before is None or changes:
        verb = "create" if before is None else "update"
        audit_record(actor=actor, action=f"{instance._meta.model_name}.{verb}", obj=instance, changes=changes)


@privileged_service(
    "callcenter.department_save", label=gettext_lazy("appoint a department's manager or leader in charge")
)
@transaction.atomic
def department_save(
    *,
    actor,
    department_id: int | None = None,
    code: str,
    name: str,
    parent_id: int | None = None,
    manager_id: int | None = None,
    leader_in_charge_id: int | None = None,
) -> Department:
    """Create (``department_id`` None) or change a department: its parent and its reporting lines
    (manager, leader in charge: active employees, never the actor themselves; SEC-2, GEN-2). A
    department is never placed under itself or one of its sub-departments. Audited."""
    _org_editor_require(actor)
    department = _locked(Department, department_id, _("Department not found."))
    before = None if department is None else snapshot(department, DEPARTMENT_FIELDS)
    department = department or Department()
    department.code, department.name = (code or "").strip(), (name or "").strip()
    if parent_id is not None and not Department.objects.filter(pk=parent_id).exists():
        raise ApplicationError(_("Department not found."), code=CoreErrorCode.NOT_FOUND, field="parent")
    department.parent_id = parent_id
    department.manager = _appointee(manager_id, field="manager")
    department.leader_in_charge = _appointee(leader_in_charge_id, field="leader_in_charge")
    _refuse_self_appointment(
        actor=actor,
        action="callcenter.department_save",
        instance=department,
        before=before,
        fields=["manager_id", "leader_in_charge_id"],
    )
    if department.pk is not None and parent_id is not None:
        _refuse_cycle(department.pk, parent_id)
    _clean(department)
    department.save()
    _audit_save(actor=actor, instance=department, before=before, fields=DEPARTMENT_FIELDS)
    return department


def _refuse_cycle(department_id: int, parent_id: int) -> None:
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    current, seen = parent_id, 0
    while current is not None and seen <= _MAX_DEPTH:
        if current == department_id:
            raise ApplicationError(
                _("A department cannot be placed under itself or under one of its own sub-departments."),
                code=CoreErrorCode.ORG_CYCLE,
                field="parent",
            )
        current, seen = parents.get(current), seen + 1
    if current is not None:
        raise ApplicationError(
            _("The departments above this one form a loop; fix them first."), code=CoreErrorCode.ORG_CYCLE
        )


@privileged_service("callcenter.team_save", label=gettext_lazy("appoint a team supervisor"))
@transaction.atomic
def team_save(
    *,
    actor,
    team_id: int | None = None,
    code: str,
    name: str,
    department_id: int,
    supervisor_id: int | None = None,
    confirm_no_supervisor: bool = False,
) -> Team:
    """Create (``team_id`` None) or change a team: its department and its supervisor (an active
    employee of the team's department, never the actor themselves; SEC-2, GEN-2). A team with
    members does not move to another department (its members would sit in one department and a
    team of another: transfer them first). A team without a supervisor is saved only when
    ``confirm_no_supervisor``: its members' leave would have no first approver (LV-4). Audited."""
    _org_editor_require(actor)
    team = _locked(Team, team_id, _("Team not found."))
    before = None if team is None else snapshot(team, TEAM_FIELDS)
    team = team or Team()
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ApplicationError(_("Department not found."), code=CoreErrorCode.NOT_FOUND, field="department")
    if team.pk is not None and team.department_id != department.pk:
        members = Employee.objects.filter(team_id=team.pk, status=EmploymentStatus.ACTIVE).count()
        if members:
            raise ApplicationError(
                _(
                    "This team has %(count)s active members in its department: transfer them before "
                    "moving the team to another department."
                )
                % {"count": members},
                code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH,
                field="department",
            )
    team.code, team.name, team.department = (code or "").strip(), (name or "").strip(), department
    team.supervisor = _appointee(supervisor_id, field="supervisor")
    if team.supervisor is not None and team.supervisor.department_id != department.pk:
        raise ApplicationError(
            _("The supervisor must work in the team's department (%(department)s).") % {"department": department.name},
            code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH,
            field="supervisor",
        )
    _refuse_self_appointment(
        actor=actor, action="callcenter.team_save", instance=team, before=before, fields=["supervisor_id"]
    )
    if team.supervisor is None and not confirm_no_supervisor:
        raise ApplicationError(
            _(
                "Without a supervisor, the team's leave requests and punch corrections have no first "
                "approver (LV-4). Choose a supervisor, or confirm that the team stays without one for now."
            ),
            code=CoreErrorCode.TEAM_WITHOUT_SUPERVISOR,
            field="supervisor",
        )
    _clean(team)
    team.save()
    _audit_save(actor=actor, instance=team, before=before, fields=TEAM_FIELDS)
    return team


@transaction.atomic
def position_save(*, actor, position_id: int | None = None, code: str, name: str, description: str = "") -> Position:
    """Create (``position_id`` None) or change a position (岗位). Audited."""
    _org_editor_require(actor)
    position = _locked(Position, position_id, _("Position not found."))
    before = None if position is None else snapshot(position, POSITION_FIELDS)
    position = position or Position()
    position.code, position.name = (code or "").strip(), (name or "").strip()
    position.description = (description or "").strip()
    _clean(position)
    position.save()
    _audit_save(actor=actor, instance=position, before=before, fields=POSITION_FIELDS)
    return position
