"""Reads of hiring (GEN-1): what the hire form offers HR, a new employee's mandatory items, and
the one check of a hire's values — the hire form, the API and every row of a staff file (CSV in
UTF-8 or GB18030, or XLSX, Chinese or English headers) pass :func:`hire_row_check`, so all three
accept and refuse the same values. Nothing here writes (the services in
:mod:`callcenter.services.hiring` do)."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from callcenter import providers
from callcenter.errors import ApplicationError, CoreErrorCode, PermissionDeniedError
from callcenter.inputs import CAREER_DATE_MIN, DATE_MAX, text_file_decode
from callcenter.models import Department, Employee, Position, Team
from callcenter.roles import Role, has_role
from callcenter.selectors.accounts import ROLES_ADMIN_ONLY
from callcenter.selectors.org import hr_department_ids

__all__ = [
    "IMPORT_COLUMNS",
    "IMPORT_MAX_FILE_BYTES",
    "IMPORT_MAX_ROWS",
    "HireRefs",
    "ImportRowError",
    "OnboardingItemState",
    "StaffRow",
    "hire_department_choices",
    "hire_position_choices",
    "hire_refs",
    "hire_remit",
    "hire_role_choices",
    "hire_row_check",
    "hire_team_choices",
    "onboarding_item_list",
    "staff_file_read",
]

IMPORT_MAX_FILE_BYTES = 5 * 1024 * 1024  # 5,000 rows are about 0.6 MB as CSV, 0.4 MB as XLSX
IMPORT_MAX_ROWS = 10_000
_XLSX_MAX_UNPACKED = 60 * 1024 * 1024  # a zip bomb is refused before it is read

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

_EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_MOBILE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_MONEY_MAX = Decimal("99999999.99")  # max_digits=10, decimal_places=2
_CENT = Decimal("0.01")


def _normalise(header) -> str:
    text = str(header or "").strip().lower().replace("（", "(").replace("）", ")").replace("_", " ")
    return re.sub(r"\s+", " ", text)


_ALIAS_TO_FIELD = {
    _normalise(alias): name
    for name, (en, zh, _required) in IMPORT_COLUMNS.items()
    for alias in (en, zh, *_HEADER_ALIASES.get(name, ()))
}

# --- Rows ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportRowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class StaffRow:
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


# --- Who may hire ---------------------------------------------------------------------------------


def hire_remit(actor) -> frozenset[int] | None:
    """HR only (GEN-1): None for company HR, else the departments of a limited HR assistant."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active or not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR hires employees and imports the staff list (GEN-1)."))
    return hr_department_ids(actor)


# --- Reading a file -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    text = text_file_decode(data)
    if text is None:
        raise ApplicationError(
            _("The file is neither UTF-8 nor GB18030 text. Save it from Excel as “CSV UTF-8” or as XLSX."),
            code=CoreErrorCode.IMPORT_ENCODING,
        )
    return text


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


def staff_file_read(data: bytes) -> tuple[list[tuple[int, dict]], dict[str, str]]:
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
class HireRefs:
    """What the rows are checked against, loaded once."""

    remit: frozenset[int] | None
    departments: dict[str, Department]
    teams: dict[str, Team]
    positions: dict[str, Position]
    roles: dict[str, str]
    may_give_admin_roles: bool


def _key(value) -> str:
    return str(value or "").strip().casefold()


def hire_refs(actor) -> HireRefs:
    remit = hire_remit(actor)
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
    return HireRefs(remit, departments, teams, positions, roles, bool(actor.is_superuser))


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
    # A hire date or the date first employed: a career's past goes back to CAREER_DATE_MIN.
    if not CAREER_DATE_MIN <= day <= DATE_MAX:
        errors.append(
            ImportRowError(
                number,
                column,
                _("%(field)s must lie between %(min)s and %(max)s.")
                % {"field": label, "min": CAREER_DATE_MIN, "max": DATE_MAX},
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


def hire_row_check(number: int, record: dict, *, columns: dict, refs: HireRefs, errors: list) -> StaffRow | None:
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
    return StaffRow(
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


# --- The hire form and the new employee's items ----------------------------------------------


def hire_department_choices(*, user) -> QuerySet[Department]:
    """The departments ``user`` (HR) may hire into: all for company HR, a limited HR
    assistant's granted departments, none for anyone else."""
    remit = hr_department_ids(user)
    qs = Department.objects.only("pk", "code", "name").order_by("code")
    return qs if remit is None else qs.filter(pk__in=sorted(remit))


def hire_team_choices(*, user) -> QuerySet[Team]:
    """The teams of those departments, each with its supervisor: a new employee's direct
    supervisor is their team's supervisor (the form shows it beside the team)."""
    remit = hr_department_ids(user)
    qs = Team.objects.select_related("department", "supervisor").order_by("department__code", "code")
    return qs if remit is None else qs.filter(department_id__in=sorted(remit))


def hire_position_choices() -> QuerySet[Position]:
    return Position.objects.only("pk", "code", "name").order_by("code")


def hire_role_choices(*, user) -> list[tuple[str, str]]:
    """The roles HR may give a new login (the security auditor's role is an administrator's)."""
    return [(value, label) for value, label in Role.choices if user.is_superuser or value not in ROLES_ADMIN_ONLY]


@dataclass(frozen=True)
class OnboardingItemState:
    key: str
    label: str
    article: str
    done: bool | None
    url: str


def onboarding_item_list(*, employee: Employee) -> list[OnboardingItemState]:
    """The mandatory items the installed modules ask of a new employee (the code of conduct,
    induction training) and whether each is done; empty until those modules register."""
    states = []
    for item in providers.onboarding_items():
        try:
            url = reverse(item.url_name) if item.url_name else ""
        except NoReverseMatch:
            url = ""
        states.append(OnboardingItemState(item.key, str(item.label), item.article, item.done(employee), url))
    return states
