"""Hiring (GEN-1, GEN-2, LV-3): HR takes on one employee, or the whole staff list from a file.

- :func:`employee_hire` — one person from the hire page or the API. A new employee number makes
  a new login (username = the employee number) and employee record; a number that belongs to a
  leaver rehires the same record (GEN-2: one record, one history); a number of an active
  employee is refused. The login gets a one-time password, returned once to the caller and never
  stored in clear nor audited, and must be changed at the first login (SEC-2).
- :func:`staff_import_preview` / :func:`staff_import_commit` — the staff list as CSV (UTF-8 with
  or without BOM, or GB18030) or XLSX, Chinese or English headers. Every row is checked first;
  nothing is written unless the whole file is valid; the commit writes every row in one
  transaction. Rows are matched by employee number: a new number is hired, a leaver's number with
  a hire date after their leaving date is rehired, an unchanged row is skipped (re-importing a
  file changes nothing), a changed name, e-mail or mobile is applied as a change
  (EmploymentEvent kind ``change``). A changed department, team, position, pay or date is
  refused with the row's error: transfers and pay changes carry an effective date and belong to
  the transfer page (docs/people-hiring.md).

Every hire and rehire records an :class:`~callcenter.models.EmploymentEvent` and an audit event
in the hiring transaction, and runs the hooks the apps above the core registered
(:func:`callcenter.providers.employees_hired`: attendance applies the default roster from the
hire date). Separation of duties (SEC-2): nobody hires, rehires or changes their own record.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter import providers
from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.models import (
    Department,
    Employee,
    EmploymentEventKind,
    EmploymentStatus,
    Position,
    Team,
    User,
    pinyin_initials,
)
from callcenter.roles import Role
from callcenter.selectors.hiring import (
    IMPORT_COLUMNS,
    IMPORT_MAX_FILE_BYTES,
    ImportRowError,
    StaffRow,
    hire_refs,
    hire_row_check,
    staff_file_read,
)
from callcenter.services.people import employment_event_record, employment_events_record_applied
from datasecurity.services import audit_record, audit_record_many, private_storage, snapshot

__all__ = [
    "HIRE_FIELDS",
    "HireResult",
    "StaffImportPlan",
    "StaffImportResult",
    "employee_hire",
    "one_time_password_new",
    "staff_import_commit",
    "staff_import_preview",
    "staff_import_template",
]

_MAX_ERRORS = 200

# What an employee record holds, as the audit trail and EmploymentEvent.changes name it.
HIRE_FIELDS = [
    "employee_no",
    "name",
    "department",
    "team",
    "position",
    "hire_date",
    "first_employed_on",
    "monthly_base_pay",
    "bonus_base",
    "mobile",
    "status",
    "left_on",
]

_TEMPLATE_EXAMPLE = [
    "E10001", "张三", "A", "A1", "AGENT", "2026-03-02", "2019-07-01", "5200.00", "1200.00",
    "zhangsan@example.com", "13800000000", "agent",
]  # fmt: skip

# One-time passwords: 16 characters from an alphabet without look-alikes (0/O, 1/l/I): about 90
# bits, used once (the first login forces a new password). They are hashed with the installed
# hasher; for PBKDF2 with fewer rounds than a chosen password needs (a random 90-bit secret
# cannot be guessed from its hash whatever the rounds), so that importing 5,000 people takes
# seconds, not an hour. Django raises the rounds when the password is next checked.
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_OTP_LENGTH = 16
_OTP_PBKDF2_ROUNDS = 1_000


# --- Results --------------------------------------------------------------------------------------


@dataclass
class StaffImportPlan:
    """What a file would do: checked, nothing written (the preview), or done (the commit)."""

    filename: str
    sha256: str
    rows: int = 0
    new: list[StaffRow] = field(default_factory=list)
    rehires: list[tuple[StaffRow, Employee]] = field(default_factory=list)
    changes: list[tuple[StaffRow, Employee, dict]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    left_unchanged: list[str] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def touched_ids(self) -> list[int]:
        return [e.pk for _r, e in self.rehires] + [e.pk for _r, e, _c in self.changes]

    def as_dict(self) -> dict:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": self.rows,
            "valid": self.valid,
            "new": [r.employee_no for r in self.new],
            "rehired": [r.employee_no for r, _e in self.rehires],
            "changed": [{"employee_no": e.employee_no, "changes": c} for _r, e, c in self.changes],
            "unchanged": self.unchanged,
            "left_unchanged": self.left_unchanged,
            "error_count": len(self.errors),
            "errors": [e.as_dict() for e in self.errors[:_MAX_ERRORS]],
        }


@dataclass
class HireResult:
    employee: Employee
    one_time_password: str  # shown once; never stored in clear
    rehired: bool


@dataclass
class StaffImportResult:
    plan: StaffImportPlan
    # (employee number, name, username, one-time password) of each new or rehired login.
    credentials: list[tuple[str, str, str, str]]


# --- One-time passwords ---------------------------------------------------------------------------


def one_time_password_new() -> tuple[str, str]:
    """A fresh one-time password and its hash: ``(password, encoded)``."""
    password = "".join(secrets.choice(_OTP_ALPHABET) for _i in range(_OTP_LENGTH))
    hasher = get_hasher("default")
    if hasattr(hasher, "iterations"):  # the PBKDF2 family
        return password, hasher.encode(password, hasher.salt(), iterations=_OTP_PBKDF2_ROUNDS)
    return password, hasher.encode(password, hasher.salt())


# --- Writing --------------------------------------------------------------------------------------


def _json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _values(employee: Employee) -> dict:
    """The record's values in JSON (ids for the org, text for dates and amounts)."""
    return {name: _json(value) for name, value in snapshot(employee, HIRE_FIELDS).items()}


def _hire_new(*, actor, rows: list[StaffRow]) -> list[tuple[Employee, str]]:
    """New logins and employee records for ``rows``, in batches: a user, its roles, the employee,
    the hire event and one audit event per person. Returns (employee, one-time password)."""
    if not rows:
        return []
    now = timezone.now()
    passwords, users = [], []
    for row in rows:
        password, encoded = one_time_password_new()
        passwords.append(password)
        users.append(
            User(
                username=row.employee_no,
                email=row.email,
                password=encoded,
                must_change_password=True,
                password_changed_at=None,
                date_joined=now,
            )
        )
    try:
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=1000)
            groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
            for role in {r for row in rows for r in row.roles} - set(groups):
                groups[role] = Group.objects.create(name=role)
            User.groups.through.objects.bulk_create(
                [
                    User.groups.through(user_id=u.pk, group_id=groups[r].pk)
                    for u, row in zip(users, rows, strict=True)
                    for r in row.roles
                ],
                batch_size=2000,
            )
            employees = [
                Employee(
                    user=user,
                    employee_no=row.employee_no,
                    name=row.name,
                    # bulk_create skips Employee.save(), which keeps the directory's search key
                    name_initials=pinyin_initials(row.name),
                    department=row.department,
                    team=row.team,
                    position=row.position,
                    hire_date=row.hire_date,
                    first_employed_on=row.first_employed_on or row.hire_date,
                    monthly_base_pay=row.monthly_base_pay,
                    bonus_base=row.bonus_base,
                    mobile=row.mobile,
                )
                for user, row in zip(users, rows, strict=True)
            ]
            Employee.objects.bulk_create(employees, batch_size=1000)
    except IntegrityError:
        raise ApplicationError(
            _("An employee number or username of this hire was taken meanwhile; nothing was saved. Try again."),
            code=CoreErrorCode.EMPLOYEE_NO_TAKEN,
        ) from None
    entries, events = [], []
    for employee, row in zip(employees, rows, strict=True):
        values = {k: [None, v] for k, v in _values(employee).items() if v not in (None, "")}
        events.append((employee, EmploymentEventKind.HIRE, row.hire_date, values))
        entries.append(
            {
                "action": "employee.hire",
                "obj": employee,
                "changes": {**values, "username": employee.user.username, "roles": ", ".join(row.roles)},
            }
        )
    employment_events_record_applied(actor=actor, events=events)
    # One audit event per person, appended to the chain in one batch.
    audit_record_many(actor=actor, entries=entries)
    return list(zip(employees, passwords, strict=True))


def _rehire(*, actor, row: StaffRow, employee: Employee) -> tuple[Employee, str]:
    """GEN-2: the leaver's own record comes back (status active, left_on cleared, the login
    re-enabled with a new one-time password); their history stays one record."""
    if row.hire_date <= employee.left_on:
        raise ApplicationError(
            _("%(no)s left on %(date)s: a rehire's hire date must be after the leaving date (GEN-2).")
            % {"no": employee.employee_no, "date": employee.left_on},
            code=CoreErrorCode.INVALID_DATE,
            field="hire_date",
        )
    before = _values(employee)
    employee.status = EmploymentStatus.ACTIVE
    employee.left_on = None
    for name in ("name", "department", "team", "position", "hire_date", "monthly_base_pay", "bonus_base"):
        setattr(employee, name, getattr(row, name))
    if row.first_employed_on:
        employee.first_employed_on = row.first_employed_on
    if row.mobile:
        employee.mobile = row.mobile
    employee.save()
    password, encoded = one_time_password_new()
    user = employee.user
    user.is_active = True
    user.password = encoded
    user.must_change_password = True
    user.password_changed_at = None
    if row.email:
        user.email = row.email
    user.save(update_fields=["is_active", "password", "must_change_password", "password_changed_at", "email"])
    user.groups.set(Group.objects.filter(name__in=row.roles))
    after = _values(employee)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    employment_event_record(
        actor=actor, employee=employee, kind=EmploymentEventKind.REHIRE, effective_on=row.hire_date, changes=changes
    )
    audit_record(
        actor=actor,
        action="employee.rehire",
        obj=employee,
        changes={**changes, "account": "re-enabled", "roles": ", ".join(row.roles)},
    )
    return employee, password


_CONTACT_FIELDS = ("name", "email", "mobile")
# Compared for an active employee's row; a difference is a transfer or a pay change.
_RECORD_FIELDS = {
    "department": "department_id",
    "team": "team_id",
    "position": "position_id",
    "hire_date": "hire_date",
    "first_employed_on": "first_employed_on",
    "monthly_base_pay": "monthly_base_pay",
    "bonus_base": "bonus_base",
}


def _compare(row: StaffRow, employee: Employee, columns: dict, errors: list) -> dict:
    """The contact changes of an active employee's row ({field: [before, after]}); a changed
    post, pay or date is the row's error (it belongs to the transfer page)."""
    for name, attr in _RECORD_FIELDS.items():
        value = getattr(row, name)
        if name == "first_employed_on" and value is None:
            continue
        current = getattr(employee, attr)
        mine = getattr(value, "pk", value)
        if mine != current:
            errors.append(
                ImportRowError(
                    row.row,
                    columns.get(name, name),
                    _(
                        "%(no)s is already employed with another value here: transfers and pay changes take "
                        "effect on a date and are made on the employee's transfer page, not by the import."
                    )
                    % {"no": row.employee_no},
                )
            )
            return {}
    changes = {}
    current = {"name": employee.name, "email": employee.user.email, "mobile": employee.mobile}
    for name in _CONTACT_FIELDS:
        value = getattr(row, name)
        if value and value != current[name]:
            changes[name] = [current[name], value]
    return changes


def _contact_change(*, actor, employee: Employee, changes: dict) -> None:
    if "name" in changes:
        employee.name = changes["name"][1]
    if "mobile" in changes:
        employee.mobile = changes["mobile"][1]
    employee.save(update_fields=["name", "mobile"])
    if "email" in changes:
        employee.user.email = changes["email"][1]
        employee.user.save(update_fields=["email"])
    employment_event_record(
        actor=actor,
        employee=employee,
        kind=EmploymentEventKind.CHANGE,
        effective_on=timezone.localdate(),
        changes=changes,
        reason="staff import",
    )
    audit_record(actor=actor, action="employee.update", obj=employee, changes={**changes, "source": "staff import"})


# --- The hire ------------------------------------------------------------------------------------


@privileged_service("callcenter.employee_hire", label=gettext_lazy("hire or rehire an employee"))
@transaction.atomic
def employee_hire(
    *,
    actor,
    employee_no: str,
    name: str,
    department_id: int,
    position_id: int,
    hire_date: datetime.date,
    monthly_base_pay: Decimal,
    bonus_base: Decimal,
    team_id: int | None = None,
    first_employed_on: datetime.date | None = None,
    email: str = "",
    mobile: str = "",
    roles: list[str] | tuple[str, ...] = (Role.AGENT,),
) -> HireResult:
    """Hire one person (GEN-1), or rehire a leaver under their employee number (GEN-2)."""
    refs = hire_refs(actor)
    department = Department.objects.filter(pk=department_id).first()
    team = Team.objects.select_related("department").filter(pk=team_id).first() if team_id else None
    record = {
        "employee_no": employee_no,
        "name": name,
        "department": department or "",
        "team": team,
        "position": Position.objects.filter(pk=position_id).first() or "",
        "hire_date": hire_date,
        "first_employed_on": first_employed_on,
        "monthly_base_pay": monthly_base_pay,
        "bonus_base": bonus_base,
        "email": email,
        "mobile": mobile,
        "roles": list(roles or []),
    }
    if team_id and team is None:
        raise ApplicationError(_("Unknown team."), field="team")
    errors: list[ImportRowError] = []
    row = hire_row_check(1, record, columns={}, refs=refs, errors=errors)
    existing = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(employee_no=str(employee_no or "").strip())
        .first()
    )
    # SEC-2 first: nobody rehires or re-hires over their own record.
    refuse_own_record(actor=actor, employee_id=existing.pk if existing else None, action="callcenter.employee_hire")
    if errors:
        first = errors[0]
        raise ApplicationError(first.message, code=CoreErrorCode.INVALID, field=first.column)
    if existing is not None and existing.status == EmploymentStatus.ACTIVE:
        raise ApplicationError(
            _("The employee number %(no)s belongs to %(name)s, who is employed.")
            % {"no": existing.employee_no, "name": existing.name},
            code=CoreErrorCode.EMPLOYEE_NO_TAKEN,
            field="employee_no",
        )
    if existing is not None:
        employee, password = _rehire(actor=actor, row=row, employee=existing)
    else:
        if User.objects.filter(username=row.employee_no).exists():
            raise ApplicationError(
                _("The username %(name)s is taken by an account without an employee record.")
                % {"name": row.employee_no},
                code=CoreErrorCode.USERNAME_TAKEN,
                field="employee_no",
            )
        [(employee, password)] = _hire_new(actor=actor, rows=[row])
    providers.employees_hired(actor=actor, employees=[employee])
    return HireResult(employee=employee, one_time_password=password, rehired=existing is not None)


# --- The staff import ----------------------------------------------------------------------------


def _plan(*, actor, data: bytes, filename: str, lock: bool) -> StaffImportPlan:
    refs = hire_refs(actor)
    plan = StaffImportPlan(filename=str(filename or "staff")[:200], sha256=hashlib.sha256(data).hexdigest())
    records, columns = staff_file_read(data)
    plan.rows = len(records)
    rows: list[StaffRow] = []
    seen: dict[str, int] = {}
    for number, record in records:
        row = hire_row_check(number, record, columns=columns, refs=refs, errors=plan.errors)
        if row is None:
            continue
        if row.employee_no in seen:
            plan.errors.append(
                ImportRowError(
                    number,
                    columns["employee_no"],
                    _("The employee number %(no)s is already on row %(row)s.")
                    % {"no": row.employee_no, "row": seen[row.employee_no]},
                )
            )
            continue
        seen[row.employee_no] = number
        rows.append(row)
    existing_qs = Employee.objects.select_related("user").filter(employee_no__in=[r.employee_no for r in rows])
    if lock:
        existing_qs = existing_qs.select_for_update(of=("self",))
    existing = {e.employee_no: e for e in existing_qs}
    new_nos = [r.employee_no for r in rows if r.employee_no not in existing]
    taken = set(User.objects.filter(username__in=new_nos).values_list("username", flat=True)) if new_nos else set()
    mine = actor_employee_id(actor)
    for row in rows:
        employee = existing.get(row.employee_no)
        if employee is None:
            if row.employee_no in taken:
                plan.errors.append(
                    ImportRowError(
                        row.row,
                        columns["employee_no"],
                        _("The username %(name)s is taken by an account without an employee record.")
                        % {"name": row.employee_no},
                    )
                )
            else:
                plan.new.append(row)
        elif employee.status == EmploymentStatus.LEFT:
            if row.hire_date > employee.left_on:
                plan.rehires.append((row, employee))
            else:
                plan.left_unchanged.append(row.employee_no)
        else:
            changes = _compare(row, employee, columns, plan.errors)
            if changes:
                plan.changes.append((row, employee, changes))
            else:
                plan.unchanged.append(row.employee_no)
            if changes and employee.pk == mine:
                plan.errors.append(
                    ImportRowError(
                        row.row,
                        columns["employee_no"],
                        _("This is your own record: a colleague changes it (SEC-2)."),
                    )
                )
    plan.errors.sort(key=lambda e: e.row)
    return plan


def _staged_path(actor, sha256: str) -> str:
    return f"staff-imports/{actor.pk}/{sha256}.bin"


def staff_import_preview(*, actor, data: bytes, filename: str = "", stage: bool = False) -> StaffImportPlan:
    """Check a staff file (HR only) and say what it would do; nothing is written to the
    database. ``stage``: keep a valid file (private storage, under the importer's id and the
    file's checksum) for :func:`staff_import_commit` to import after the preview."""
    plan = _plan(actor=actor, data=data, filename=filename, lock=False)
    if stage and plan.valid:
        storage = private_storage()
        path = _staged_path(actor, plan.sha256)
        if not storage.exists(path):
            storage.save(path, ContentFile(data))
    return plan


@privileged_service("callcenter.staff_import_commit", label=gettext_lazy("import the staff list"))
@transaction.atomic
def staff_import_commit(
    *, actor, data: bytes | None = None, filename: str = "", expected_sha256: str = ""
) -> StaffImportResult:
    """Import a staff file: all rows in one transaction, or nothing (any row's error refuses the
    whole file with every error). ``expected_sha256``: the previewed file's checksum; without
    ``data``, the file the importer's preview staged under that checksum (removed once imported)."""
    staged = ""
    if data is None:
        staged = _staged_path(actor, str(expected_sha256 or "")[:64])
        try:
            with private_storage().open(staged, "rb") as handle:
                data = handle.read(IMPORT_MAX_FILE_BYTES + 1)
        except (OSError, SuspiciousFileOperation):
            raise ApplicationError(
                _("The previewed file is no longer here; upload it again."), code=CoreErrorCode.IMPORT_STALE, status=409
            ) from None
    plan = _plan(actor=actor, data=data, filename=filename, lock=True)
    if expected_sha256 and expected_sha256 != plan.sha256:
        raise ApplicationError(
            _("The file changed since its preview; check it again."), code=CoreErrorCode.IMPORT_STALE, status=409
        )
    refuse_own_record(actor=actor, employee_ids=plan.touched_ids(), action="callcenter.staff_import_commit")
    if plan.errors:
        raise ApplicationError(
            _("%(count)s row error(s): nothing was imported. Correct the file and upload it again.")
            % {"count": len(plan.errors)},
            code=CoreErrorCode.IMPORT_ROWS_INVALID,
            extra={"error_count": len(plan.errors), "errors": [e.as_dict() for e in plan.errors[:_MAX_ERRORS]]},
        )
    hired = _hire_new(actor=actor, rows=plan.new)
    rehired = [_rehire(actor=actor, row=row, employee=employee) for row, employee in plan.rehires]
    for _row, employee, changes in plan.changes:
        _contact_change(actor=actor, employee=employee, changes=changes)
    providers.employees_hired(actor=actor, employees=[e for e, _p in hired + rehired])
    credentials = [(e.employee_no, e.name, e.user.username, p) for e, p in hired + rehired]
    audit_record(
        actor=actor,
        action="staff_import.commit",
        object_type="callcenter.employee",
        object_repr=plan.filename,
        changes={
            "filename": plan.filename,
            "sha256": plan.sha256,
            "rows": plan.rows,
            "hired": len(hired),
            "rehired": len(rehired),
            "changed": len(plan.changes),
            "unchanged": len(plan.unchanged) + len(plan.left_unchanged),
            # The one-time passwords go to the importer once, in this answer; never stored.
            "one_time_passwords_issued": len(credentials),
        },
    )
    if staged:
        transaction.on_commit(lambda: private_storage().delete(staged))
    return StaffImportResult(plan=plan, credentials=credentials)


def staff_import_template(*, language: str = "zh-hans", file_format: str = "xlsx") -> ExportFile:
    """The staff file's template: the header row (Chinese or English) and one example row."""
    column = 1 if str(language).startswith("zh") else 0
    headers = [spec[column] for spec in IMPORT_COLUMNS.values()]
    name = "staff-import-template"
    if file_format == "csv":
        return csv_file(filename=name, headers=headers, rows=[_TEMPLATE_EXAMPLE])
    return xlsx_file(filename=name, headers=headers, rows=[_TEMPLATE_EXAMPLE], sheet_title="staff")
