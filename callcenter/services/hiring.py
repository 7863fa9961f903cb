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

import csv
import datetime
import hashlib
import io
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from callcenter import providers
from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.inputs import DATE_MAX, DATE_MIN
from callcenter.models import (
    Department,
    Employee,
    EmploymentEventKind,
    EmploymentStatus,
    Position,
    Team,
    User,
)
from callcenter.roles import Role, has_role
from callcenter.selectors.accounts import ROLES_ADMIN_ONLY
from callcenter.selectors.org import hr_department_ids
from callcenter.services.people import employment_event_record
from datasecurity.services import audit_record, private_storage, snapshot

__all__ = [
    "HIRE_FIELDS",
    "IMPORT_COLUMNS",
    "IMPORT_MAX_FILE_BYTES",
    "IMPORT_MAX_ROWS",
    "HireResult",
    "ImportRowError",
    "StaffImportPlan",
    "StaffImportResult",
    "employee_hire",
    "one_time_password_new",
    "staff_import_commit",
    "staff_import_preview",
    "staff_import_template",
]

IMPORT_MAX_FILE_BYTES = 5 * 1024 * 1024  # 5,000 rows are about 0.6 MB as CSV, 0.4 MB as XLSX
IMPORT_MAX_ROWS = 10_000
_XLSX_MAX_UNPACKED = 60 * 1024 * 1024  # a zip bomb is refused before it is read
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

# The file's columns: field -> (English header, Chinese header, required).
IMPORT_COLUMNS = {
    "employee_no": ("employee_no", "工号", True),
    "name": ("name", "姓名", True),
    "department": ("department", "部门", True),
    "team": ("team", "班组", False),
    "position": ("position", "岗位", True),
    "hire_date": ("hire_date", "入职日期", True),
    "first_employed_on": ("first_employed_on", "参加工作日期", False),
    "monthly_base_pay": ("monthly_base_pay", "月基本工资", True),
    "bonus_base": ("bonus_base", "绩效奖金基数", True),
    "email": ("email", "邮箱", False),
    "mobile": ("mobile", "手机", False),
    "roles": ("roles", "角色", False),
}
_HEADER_ALIASES = {
    "employee_no": ("employee no", "employee number", "员工编号", "员工工号"),
    "name": ("姓名(中文)",),
    "department": ("department code", "部门编码"),
    "team": ("team code", "班组编码", "小组"),
    "position": ("position code", "岗位编码"),
    "hire_date": ("hire date", "入职时间"),
    "first_employed_on": ("first employed on", "date first employed", "首次参加工作日期"),
    "monthly_base_pay": ("monthly base pay", "base pay", "基本工资"),
    "bonus_base": ("bonus base", "奖金基数"),
    "email": ("e-mail", "电子邮箱"),
    "mobile": ("mobile phone", "phone", "手机号", "联系电话"),
    "roles": ("role", "角色(可多个)"),
}
_TEMPLATE_EXAMPLE = [
    "E10001", "张三", "A", "A1", "AGENT", "2026-03-02", "2019-07-01", "5200.00", "1200.00",
    "zhangsan@example.com", "13800000000", "agent",
]  # fmt: skip

_EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_MOBILE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_MONEY_MAX = Decimal("99999999.99")  # max_digits=10, decimal_places=2
_CENT = Decimal("0.01")

# One-time passwords: 16 characters from an alphabet without look-alikes (0/O, 1/l/I): about 90
# bits, used once (the first login forces a new password). They are hashed with the installed
# hasher; for PBKDF2 with fewer rounds than a chosen password needs (a random 90-bit secret
# cannot be guessed from its hash whatever the rounds), so that importing 5,000 people takes
# seconds, not an hour. Django raises the rounds when the password is next checked.
_OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
_OTP_LENGTH = 16
_OTP_PBKDF2_ROUNDS = 1_000


def _normalise(header) -> str:
    text = str(header or "").strip().lower().replace("（", "(").replace("）", ")").replace("_", " ")
    return re.sub(r"\s+", " ", text)


_ALIAS_TO_FIELD = {
    _normalise(alias): name
    for name, (en, zh, _required) in IMPORT_COLUMNS.items()
    for alias in (en, zh, *_HEADER_ALIASES.get(name, ()))
}


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportRowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class _Row:
    row: int
    employee_no: str
    name: str
    department: Department
    team: Team | None
    position: Position
    hire_date: datetime.date
    first_employed_on: datetime.date | None  # None: not given (the hire date for a new hire)
    monthly_base_pay: Decimal
    bonus_base: Decimal
    email: str
    mobile: str
    roles: tuple[str, ...]


@dataclass
class StaffImportPlan:
    """What a file would do: checked, nothing written (the preview), or done (the commit)."""

    filename: str
    sha256: str
    rows: int = 0
    new: list[_Row] = field(default_factory=list)
    rehires: list[tuple[_Row, Employee]] = field(default_factory=list)
    changes: list[tuple[_Row, Employee, dict]] = field(default_factory=list)
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


# --- Who may hire ---------------------------------------------------------------------------------


def _hr_remit(actor) -> frozenset[int] | None:
    """HR only (GEN-1): None for company HR, else the departments of a limited HR assistant."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR hires employees and imports the staff list (GEN-1)."))
    return hr_department_ids(actor)


# --- Reading a file -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ApplicationError(
            _("The file is neither UTF-8 nor GB18030 text. Save it from Excel as “CSV UTF-8” or as XLSX."),
            code=CoreErrorCode.IMPORT_ENCODING,
        ) from None


def _too_many_rows() -> ApplicationError:
    return ApplicationError(
        _("The file has more than %(limit)s rows; import it in parts.") % {"limit": f"{IMPORT_MAX_ROWS:,}"},
        code=CoreErrorCode.IMPORT_TOO_MANY_ROWS,
    )


def _csv_lines(data: bytes):
    if b"\x00" in data[:4096]:
        raise ApplicationError(
            _("The file is neither CSV nor XLSX (checked by its content, not its name)."),
            code=CoreErrorCode.IMPORT_FILE_TYPE,
        )
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        for line in reader:
            yield reader.line_num, line
    except csv.Error as exc:
        raise ApplicationError(
            _("The file is not valid CSV (line %(line)s): %(error)s") % {"line": reader.line_num, "error": exc},
            code=CoreErrorCode.IMPORT_FILE_TYPE,
        ) from None


def _xlsx_lines(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
        if "xl/workbook.xml" not in names or unpacked > _XLSX_MAX_UNPACKED:
            raise zipfile.BadZipFile
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ApplicationError(
            _("The file is not a readable XLSX workbook. Save it from Excel as XLSX or as CSV."),
            code=CoreErrorCode.IMPORT_FILE_TYPE,
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _read(data: bytes) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """``(records, columns)``: ``(row number, {field: value})`` and the header as written."""
    if len(data) > IMPORT_MAX_FILE_BYTES:
        raise ApplicationError(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported at once.")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": IMPORT_MAX_FILE_BYTES // 1048576},
            code=CoreErrorCode.IMPORT_FILE_TOO_LARGE,
        )
    if not data.strip():
        raise ApplicationError(_("The file is empty."), code=CoreErrorCode.IMPORT_FILE_EMPTY)
    if data.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(data)
    elif data.startswith((b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise ApplicationError(
            _("The file is neither CSV nor XLSX (checked by its content, not its name)."),
            code=CoreErrorCode.IMPORT_FILE_TYPE,
        )
    else:
        lines = _csv_lines(data)
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    records: list[tuple[int, dict]] = []
    header_seen = False
    for number, line in lines:
        cells = ["" if v is None else v for v in line]
        if not any(str(c).strip() for c in cells):
            continue
        if not header_seen:
            header_seen = True
            for index, cell in enumerate(cells):
                name = _ALIAS_TO_FIELD.get(_normalise(cell))
                if name is None:
                    continue
                if name in positions:
                    raise ApplicationError(
                        _("The column “%(column)s” appears twice in the header.") % {"column": str(cell).strip()},
                        code=CoreErrorCode.IMPORT_HEADER_INVALID,
                    )
                positions[name] = index
                columns[name] = str(cell).strip()
            missing = [n for n, (_en, _zh, required) in IMPORT_COLUMNS.items() if required and n not in positions]
            if missing:
                raise ApplicationError(
                    _(
                        "The header row lacks the column(s) %(missing)s. Download the template: its headers "
                        "are accepted in Chinese or English."
                    )
                    % {"missing": ", ".join(f"{IMPORT_COLUMNS[n][0]} / {IMPORT_COLUMNS[n][1]}" for n in missing)},
                    code=CoreErrorCode.IMPORT_HEADER_INVALID,
                )
            continue
        if len(records) >= IMPORT_MAX_ROWS:
            raise _too_many_rows()
        records.append((number, {n: (cells[i] if i < len(cells) else "") for n, i in positions.items()}))
    if not header_seen:
        raise ApplicationError(_("The file is empty."), code=CoreErrorCode.IMPORT_FILE_EMPTY)
    if not records:
        raise ApplicationError(_("The file has a header but no rows."), code=CoreErrorCode.IMPORT_FILE_EMPTY)
    return records, columns


# --- Checking rows (one rule for the file, the page and the API) ---------------------------------


@dataclass
class _Refs:
    """What the rows are checked against, loaded once."""

    remit: frozenset[int] | None
    departments: dict[str, Department]
    teams: dict[str, Team]
    positions: dict[str, Position]
    roles: dict[str, str]
    may_give_admin_roles: bool


def _key(value) -> str:
    return str(value or "").strip().casefold()


def _refs(actor) -> _Refs:
    remit = _hr_remit(actor)
    departments, teams, positions = {}, {}, {}
    for department in Department.objects.all():
        departments.setdefault(_key(department.name), department)
        departments[_key(department.code)] = department
    for team in Team.objects.select_related("department", "supervisor"):
        teams.setdefault(f"{team.department_id}:{_key(team.name)}", team)
        teams[_key(team.code)] = team
    for position in Position.objects.all():
        positions.setdefault(_key(position.name), position)
        positions[_key(position.code)] = position
    roles = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            roles.update({_key(label): value for value, label in Role.choices})
    roles.update({_key(value): value for value in Role.values})
    return _Refs(remit, departments, teams, positions, roles, bool(actor.is_superuser))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, column, number, errors, *, label, required=True) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _text(value)
        if not text:
            if required:
                errors.append(ImportRowError(number, column, _("%(field)s is missing.") % {"field": label}))
            return None
        match = _DATE_RE.match(text.split(" ")[0])
        try:
            day = datetime.date(*(int(g) for g in match.groups())) if match else None
        except ValueError:
            day = None
        if day is None:
            errors.append(
                ImportRowError(
                    number,
                    column,
                    _("%(field)s must be a date as YYYY-MM-DD, not “%(value)s”.")
                    % {"field": label, "value": text[:40]},
                )
            )
            return None
    if not DATE_MIN <= day <= DATE_MAX:
        errors.append(
            ImportRowError(
                number,
                column,
                _("%(field)s must lie between %(min)s and %(max)s.")
                % {"field": label, "min": DATE_MIN, "max": DATE_MAX},
            )
        )
        return None
    return day


def _money(value, column, number, errors, *, label) -> Decimal | None:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        text = _text(value).replace(",", "").replace("¥", "").replace("￥", "")
        if not text:
            errors.append(ImportRowError(number, column, _("%(field)s is missing.") % {"field": label}))
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            errors.append(
                ImportRowError(
                    number,
                    column,
                    _("%(field)s must be an amount, not “%(value)s”.") % {"field": label, "value": text[:40]},
                )
            )
            return None
    if amount < 0 or amount > _MONEY_MAX:
        errors.append(
            ImportRowError(
                number, column, _("%(field)s must lie between 0 and %(max)s.") % {"field": label, "max": _MONEY_MAX}
            )
        )
        return None
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def _clean_record(number: int, record: dict, *, columns: dict, refs: _Refs, errors: list) -> _Row | None:
    """One row checked against the rules of a hire; appends its errors and returns the row when
    it has none. Values may be text (a file) or typed (the hire form: dates, amounts, records)."""
    start = len(errors)

    def error(name, message):
        errors.append(ImportRowError(number, columns.get(name, name), message))

    employee_no = _text(record.get("employee_no"))
    if not employee_no:
        error("employee_no", _("The employee number is missing."))
    elif not _EMPLOYEE_NO_RE.match(employee_no):
        error("employee_no", _("An employee number is 1 to 20 letters, digits, dots, dashes or underscores."))
    name = _text(record.get("name"))
    if not name:
        error("name", _("The name is missing."))
    elif len(name) > 100:
        error("name", _("The name is longer than 100 characters."))

    department = record.get("department")
    if not isinstance(department, Department):
        text = _text(department)
        department = refs.departments.get(_key(text))
        if department is None:
            error("department", _("Unknown department “%(value)s” (give its code or name).") % {"value": text[:40]})
    if department is not None and refs.remit is not None and department.pk not in refs.remit:
        error("department", _("The department %(name)s is outside your HR remit.") % {"name": department.name})
    team = record.get("team")
    if team is not None and not isinstance(team, Team):
        text = _text(team)
        team = None
        if text:
            team = refs.teams.get(_key(text)) or (
                refs.teams.get(f"{department.pk}:{_key(text)}") if department is not None else None
            )
            if team is None:
                error("team", _("Unknown team “%(value)s” (give its code or name).") % {"value": text[:40]})
    if team is not None and department is not None and team.department_id != department.pk:
        error("team", _("The team does not belong to the chosen department."))
    position = record.get("position")
    if not isinstance(position, Position):
        text = _text(position)
        position = refs.positions.get(_key(text))
        if position is None:
            error("position", _("Unknown position “%(value)s” (give its code or name).") % {"value": text[:40]})

    hire_date = _date(
        record.get("hire_date"), columns.get("hire_date", "hire_date"), number, errors, label=_("Hire date")
    )
    first = _date(
        record.get("first_employed_on"),
        columns.get("first_employed_on", "first_employed_on"),
        number,
        errors,
        label=_("Date first employed"),
        required=False,
    )
    if first and hire_date and first > hire_date:
        error("first_employed_on", _("The date first employed (LV-3) cannot be after the hire date."))
    pay = _money(
        record.get("monthly_base_pay"),
        columns.get("monthly_base_pay", "monthly_base_pay"),
        number,
        errors,
        label=_("Monthly base pay"),
    )
    bonus = _money(
        record.get("bonus_base"), columns.get("bonus_base", "bonus_base"), number, errors, label=_("Bonus base")
    )
    email = _text(record.get("email"))
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            error("email", _("“%(value)s” is not an e-mail address.") % {"value": email[:60]})
    mobile = _text(record.get("mobile"))
    if mobile and not _MOBILE_RE.match(mobile):
        error("mobile", _("A mobile number is 5 to 20 digits (spaces, dashes and a leading + allowed)."))

    raw_roles = record.get("roles")
    if isinstance(raw_roles, list | tuple):
        role_texts = [str(r) for r in raw_roles]
    else:
        role_texts = [p for p in re.split(r"[,;，；、/|]", _text(raw_roles)) if p.strip()]
    roles = []
    for text in role_texts:
        role = refs.roles.get(_key(text))
        if role is None:
            error("roles", _("Unknown role “%(value)s”.") % {"value": text.strip()[:40]})
        elif role in ROLES_ADMIN_ONLY and not refs.may_give_admin_roles:
            error(
                "roles", _("Only an administrator gives the security auditor's role: HR does not choose who audits HR.")
            )
        elif role not in roles:
            roles.append(role)
    if len(errors) > start:
        return None
    return _Row(
        row=number,
        employee_no=employee_no,
        name=name,
        department=department,
        team=team,
        position=position,
        hire_date=hire_date,
        first_employed_on=first,
        monthly_base_pay=pay,
        bonus_base=bonus,
        email=email,
        mobile=mobile,
        roles=tuple(sorted(roles or [Role.AGENT])),
    )


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


def _hire_new(*, actor, rows: list[_Row]) -> list[tuple[Employee, str]]:
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
    for employee, row in zip(employees, rows, strict=True):
        values = {k: [None, v] for k, v in _values(employee).items() if v not in (None, "")}
        employment_event_record(
            actor=actor, employee=employee, kind=EmploymentEventKind.HIRE, effective_on=row.hire_date, changes=values
        )
        audit_record(
            actor=actor,
            action="employee.hire",
            obj=employee,
            changes={**values, "username": employee.user.username, "roles": ", ".join(row.roles)},
        )
    return list(zip(employees, passwords, strict=True))


def _rehire(*, actor, row: _Row, employee: Employee) -> tuple[Employee, str]:
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


def _compare(row: _Row, employee: Employee, columns: dict, errors: list) -> dict:
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
    refs = _refs(actor)
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
    row = _clean_record(1, record, columns={}, refs=refs, errors=errors)
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
    refs = _refs(actor)
    plan = StaffImportPlan(filename=str(filename or "staff")[:200], sha256=hashlib.sha256(data).hexdigest())
    records, columns = _read(data)
    plan.rows = len(records)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, record in records:
        row = _clean_record(number, record, columns=columns, refs=refs, errors=plan.errors)
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
