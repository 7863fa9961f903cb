"""Attendance services: shift types and the roster (ATT-1), month locks (ATT-2).

Statutory calendar (``chinesecalendar``) and the default roster, the choice we made:

- a day inside an official holiday period (法定节假日, including the weekend days folded into
  it) becomes ``kind=holiday`` with no shift, whatever the weekly pattern says;
- a make-up workday (调休: a Saturday or Sunday that is an official workday) gets the pattern's
  first Monday–Friday shift (Monday, else Tuesday, …), since it replaces a weekday; a pattern
  with no weekday shift leaves it a rest day;
- every other day follows the weekly pattern (a shift, or a rest day).

A year the installed ``chinesecalendar`` does not know is refused with a clear message: the
holidays of a year are published by the State Council each November and are never guessed.
Supervisors then assign that period's rest days one by one (:func:`roster_entry_set`).

Separation of duties (SEC-2, :mod:`callcenter.duties`): a supervisor plans the team's roster, their
own days included, ahead of time; nobody changes their own roster of a day already begun (today
or earlier), since it is what their own attendance is judged against.
"""

import datetime
from collections.abc import Iterable, Mapping

import chinese_calendar
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.errors import AttendanceErrorCode
from attendance.models import DayKind, OffPhoneActivity, OffPhoneKind, RosterEntry, ShiftType
from attendance.selectors.roster import roster_locked_months, roster_range_check
from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Department, Employee, EmploymentStatus, Team
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of, hr_department_ids
from datasecurity.services import audit_record, model_changes, snapshot

__all__ = [
    "ROSTER_DEFAULT_SHIFT",
    "ROSTER_MAX_EMPLOYEES",
    "ROSTER_WRITE_ROLES",
    "SHIFT_TYPE_DEFAULTS",
    "SHIFT_TYPE_WRITE_ROLES",
    "off_phone_activity_clear",
    "off_phone_activity_set",
    "roster_assign",
    "roster_default_apply",
    "roster_entry_set",
    "roster_remit_q",
    "shift_type_create",
    "shift_type_update",
    "shift_types_defaults_install",
]

# Largest team size one bulk request may cover (500 people x 62 days = 31,000 rows, a few
# batched INSERTs); a whole department is rostered team by team.
ROSTER_MAX_EMPLOYEES = 500
ROSTER_WRITE_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.HR)
SHIFT_TYPE_WRITE_ROLES = (Role.HR, Role.SUPERVISOR)

# ATT-1 defaults: (code, name, start, end, break minutes). 白班 is the regulation's default shift.
SHIFT_TYPE_DEFAULTS = [
    ("D", "白班", datetime.time(9, 0), datetime.time(18, 0), 60),
    ("M", "早班", datetime.time(7, 0), datetime.time(16, 0), 60),
    ("E", "晚班", datetime.time(14, 0), datetime.time(23, 0), 60),
    ("N", "夜班", datetime.time(22, 0), datetime.time(7, 0), 60),
]

_SHIFT_FIELDS = ["code", "name", "start_time", "end_time", "break_minutes", "active"]


# --- Shift types -------------------------------------------------------------------------------


def _shift_type_validate(shift: ShiftType) -> None:
    shift.code = (shift.code or "").strip()
    shift.name = (shift.name or "").strip()
    if not shift.code or not shift.name:
        raise ApplicationError(
            _("A shift type needs a code and a name."), code=AttendanceErrorCode.SHIFT_TYPE_INCOMPLETE
        )
    if shift.start_time == shift.end_time:
        # end <= start means "ends the next day"; equal times would be a 24-hour shift.
        raise ApplicationError(
            _("A shift cannot start and end at the same time."),
            code=AttendanceErrorCode.SHIFT_TYPE_EMPTY,
            field="end_time",
        )
    if shift.break_minutes is None or shift.break_minutes < 0:
        raise ApplicationError(
            _("The break cannot be negative."), code=AttendanceErrorCode.SHIFT_TYPE_BREAK_INVALID, field="break_minutes"
        )
    if shift.break_minutes >= shift.duration_minutes:
        raise ApplicationError(
            _("The break (%(brk)d min) must be shorter than the shift (%(len)d min).")
            % {"brk": shift.break_minutes, "len": shift.duration_minutes},
            code=AttendanceErrorCode.SHIFT_TYPE_BREAK_TOO_LONG,
            field="break_minutes",
        )


def _shift_type_check_actor(actor) -> None:
    if not has_role(actor, *SHIFT_TYPE_WRITE_ROLES):
        raise PermissionDeniedError(_("Only HR and team supervisors may define shift types."))


def _shift_type_save(shift: ShiftType, **kwargs) -> None:
    try:
        with transaction.atomic():
            shift.save(**kwargs)
    except IntegrityError as exc:
        raise ApplicationError(
            _("A shift type with the code %(code)s already exists.") % {"code": shift.code},
            code=AttendanceErrorCode.SHIFT_TYPE_CODE_TAKEN,
            field="code",
        ) from exc


@transaction.atomic
def shift_type_create(
    *,
    actor,
    code: str,
    name: str,
    start_time: datetime.time,
    end_time: datetime.time,
    break_minutes: int,
) -> ShiftType:
    """A new shift type (ATT-1). ``end_time`` <= ``start_time`` makes it overnight."""
    _shift_type_check_actor(actor)
    shift = ShiftType(code=code, name=name, start_time=start_time, end_time=end_time, break_minutes=break_minutes)
    _shift_type_validate(shift)
    _shift_type_save(shift)
    audit_record(actor=actor, action="shift_type.create", obj=shift, changes=model_changes(shift, None, _SHIFT_FIELDS))
    return shift


@transaction.atomic
def shift_type_update(
    *,
    actor,
    shift_type_id: int,
    code: str | None = None,
    name: str | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    break_minutes: int | None = None,
    active: bool | None = None,
) -> ShiftType:
    """Change a shift type; ``None`` keeps a value. Audited with old and new values."""
    _shift_type_check_actor(actor)
    shift = ShiftType.objects.select_for_update().filter(pk=shift_type_id).first()
    if shift is None:
        raise NotFoundError(_("Shift type not found."))
    before = snapshot(shift, _SHIFT_FIELDS)
    values = {
        "code": code,
        "name": name,
        "start_time": start_time,
        "end_time": end_time,
        "break_minutes": break_minutes,
        "active": active,
    }
    for field, value in values.items():
        if value is not None:
            setattr(shift, field, value)
    _shift_type_validate(shift)
    changes = model_changes(shift, before, _SHIFT_FIELDS)
    if changes:
        _shift_type_save(shift, update_fields=list(changes))
        audit_record(actor=actor, action="shift_type.update", obj=shift, changes=changes)
    return shift


@transaction.atomic
def shift_types_defaults_install() -> list[ShiftType]:
    """Create the default shift types (ATT-1) that are missing; running it twice changes nothing."""
    existing = set(
        ShiftType.objects.filter(code__in=[d[0] for d in SHIFT_TYPE_DEFAULTS]).values_list("code", flat=True)
    )
    created = []
    for code, name, start, end, break_minutes in SHIFT_TYPE_DEFAULTS:
        if code in existing:
            continue
        shift = ShiftType.objects.create(
            code=code, name=name, start_time=start, end_time=end, break_minutes=break_minutes
        )
        audit_record(
            actor=None, action="shift_type.create", obj=shift, changes=model_changes(shift, None, _SHIFT_FIELDS)
        )
        created.append(shift)
    return created


# --- Who may roster whom -----------------------------------------------------------------------


def roster_remit_q(actor) -> Q | None:
    """Employees whose roster ``actor`` may change: HR the company (``None``; an HR assistant the
    departments of their grants in force), a supervisor the teams they supervise, a department
    manager or leader in charge their departments.

    Narrower than visibility on purpose: a delegate or a covering supervisor does not roster."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Q(pk__in=[])
    if has_role(actor, Role.HR):
        departments = hr_department_ids(actor)
        return None if departments is None else Q(department_id__in=sorted(departments))
    if not has_role(actor, *ROSTER_WRITE_ROLES):
        return Q(pk__in=[])
    me = employee_of(actor)
    if me is None:
        return Q(pk__in=[])
    team_ids = list(Team.objects.filter(supervisor=me).values_list("pk", flat=True))
    department_ids = list(
        Department.objects.filter(Q(manager=me) | Q(leader_in_charge=me)).values_list("pk", flat=True)
    )
    return Q(team_id__in=team_ids) | Q(department_id__in=department_ids)


def _employees_for_roster(actor, employee_ids: Iterable[int]) -> list[Employee]:
    """Load the employees once; refuse the whole request if any is outside the remit."""
    ids = {int(pk) for pk in employee_ids}
    if not ids:
        raise ApplicationError(_("Choose at least one employee."), code=AttendanceErrorCode.NO_EMPLOYEES)
    if len(ids) > ROSTER_MAX_EMPLOYEES:
        raise ApplicationError(
            _("A roster request covers at most %(count)d employees; assign larger groups team by team.")
            % {"count": ROSTER_MAX_EMPLOYEES},
            code=AttendanceErrorCode.TOO_MANY_EMPLOYEES,
        )
    qs = Employee.objects.filter(pk__in=ids).only("pk", "employee_no", "name", "team_id", "department_id", "status")
    remit = roster_remit_q(actor)
    if remit is not None:
        qs = qs.filter(remit)
    found = list(qs)
    if len(found) != len(ids):
        raise PermissionDeniedError(
            _("You may only change the roster of employees in your own team or department; nothing was saved.")
        )
    if any(e.status != EmploymentStatus.ACTIVE for e in found):
        raise ApplicationError(_("Employees who have left cannot be rostered."), code=AttendanceErrorCode.EMPLOYEE_LEFT)
    return found


def _refuse_own_past(*, actor, employees: list[Employee], date_from: datetime.date, action: str) -> None:
    """SEC-2: a supervisor plans their team's roster, their own days included, ahead of time; a
    day that has already begun is what one's own attendance (fines, absenteeism) is judged
    against, so nobody changes it on their own record (:mod:`callcenter.duties`)."""
    begun = date_from <= timezone.localdate()
    refuse_own_record(actor=actor, employee_ids=[e.pk for e in employees] if begun else (), action=action)


def _refuse_locked(employees: list[Employee], date_from: datetime.date, date_to: datetime.date) -> None:
    locked = roster_locked_months(team_ids=[e.team_id for e in employees], date_from=date_from, date_to=date_to)
    if locked:
        months = ", ".join(sorted({month.strftime("%Y-%m") for _team, month in locked}))
        raise ApplicationError(
            _(
                "The attendance of %(months)s has been verified and is locked (ATT-2); "
                "the roster of that month can no longer be changed."
            )
            % {"months": months},
            code=AttendanceErrorCode.MONTH_LOCKED,
            status=409,
        )


def _calendar(day: datetime.date) -> tuple[bool, str | None]:
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError as exc:
        raise ApplicationError(
            _("The statutory calendar for %(year)d is not published in this version; assign rest days manually.")
            % {"year": day.year},
            code=AttendanceErrorCode.CALENDAR_UNKNOWN,
        ) from exc


def _makeup_shift(pattern: Mapping[int, ShiftType | None]) -> ShiftType | None:
    # 调休: a make-up workday replaces a weekday, so it takes the first weekday shift of the pattern.
    return next((pattern.get(weekday) for weekday in range(5) if pattern.get(weekday)), None)


def _active_shift(shift: ShiftType) -> ShiftType:
    if not shift.active:
        raise ApplicationError(
            _("The shift type %(code)s is no longer in use.") % {"code": shift.code},
            code=AttendanceErrorCode.SHIFT_TYPE_INACTIVE,
        )
    return shift


def _normalise_pattern(pattern: Mapping) -> dict[int, ShiftType | None]:
    """weekday (0..6) -> shift type id or None, as weekday -> ShiftType or None; the shift types
    are loaded in one query."""
    by_weekday: dict[int, int | None] = {}
    for key, shift_id in (pattern or {}).items():
        try:
            weekday = int(key)
        except (TypeError, ValueError):
            weekday = -1
        if weekday not in range(7):
            raise ApplicationError(
                _("Weekdays are numbered 0 (Monday) to 6 (Sunday)."), code=AttendanceErrorCode.PATTERN_INVALID
            )
        if shift_id is not None and (isinstance(shift_id, bool) or not isinstance(shift_id, int)):
            raise ApplicationError(_("Unknown shift type."), code=AttendanceErrorCode.PATTERN_INVALID)
        by_weekday[weekday] = shift_id
    ids = {pk for pk in by_weekday.values() if pk is not None}
    shifts = {s.pk: s for s in ShiftType.objects.filter(pk__in=ids)} if ids else {}
    if len(shifts) != len(ids):
        raise ApplicationError(_("Unknown shift type."), code=AttendanceErrorCode.PATTERN_INVALID)
    return {
        weekday: _active_shift(shifts[pk]) if pk is not None else None for weekday, pk in sorted(by_weekday.items())
    }


# --- Roster ------------------------------------------------------------------------------------


def _plan_days(
    calendar: Iterable[tuple[datetime.date, bool, str | None]], pattern: Mapping[int, ShiftType | None]
) -> tuple[list[tuple[datetime.date, str, ShiftType | None, str]], int, int]:
    """Each day's (date, kind, shift, note) by the statutory calendar and the weekly pattern (see
    the module docstring), with the number of holidays and make-up workdays."""
    makeup_shift = _makeup_shift(pattern)
    plan: list[tuple[datetime.date, str, ShiftType | None, str]] = []
    holidays = makeup_days = 0
    for day, on_holiday, name in calendar:
        if on_holiday and name:
            holidays += 1
            plan.append((day, DayKind.HOLIDAY, None, name))
        elif not on_holiday and day.weekday() >= 5:
            makeup_days += 1
            note = "调休 " + (name or "")
            plan.append(
                (day, DayKind.WORK, makeup_shift, note.strip())
                if makeup_shift
                else (day, DayKind.REST, None, note.strip())
            )
        else:
            shift = pattern.get(day.weekday())
            plan.append((day, DayKind.WORK, shift, "") if shift else (day, DayKind.REST, None, ""))
    return plan, holidays, makeup_days


@privileged_service("attendance.roster_assign", label=gettext_lazy("change the roster of days already begun"))
@transaction.atomic
def roster_assign(
    *,
    actor,
    employee_ids: Iterable[int],
    date_from: datetime.date,
    date_to: datetime.date,
    pattern: Mapping,
    overwrite: bool = False,
) -> dict:
    """Roster the employees from ``date_from`` to ``date_to`` with a weekly ``pattern``
    (weekday 0..6 -> shift type id, or None / missing for a rest day), following the statutory
    calendar (see the module docstring). Existing entries are kept unless ``overwrite``.

    Returns the counts: ``employees``, ``days``, ``entries``, ``created``, ``updated``, ``kept``,
    ``holidays`` and ``makeup_days`` (per employee). One audit event for the whole request.
    """
    if not has_role(actor, *ROSTER_WRITE_ROLES):
        raise PermissionDeniedError(_("Only supervisors, department managers and HR may change the roster."))
    days = roster_range_check(date_from, date_to)
    pattern = _normalise_pattern(pattern)
    # The calendar first: an unknown year refuses the request before anything is read or written.
    calendar = [(day, *_calendar(day)) for day in days]
    staff = _employees_for_roster(actor, employee_ids)
    _refuse_own_past(actor=actor, employees=staff, date_from=date_from, action="attendance.roster_assign")
    _refuse_locked(staff, date_from, date_to)

    plan, holidays, makeup_days = _plan_days(calendar, pattern)
    rows = [
        RosterEntry(employee_id=employee.pk, work_date=day, kind=kind, shift=shift, note=note)
        for employee in staff
        for day, kind, shift, note in plan
    ]
    existing_qs = RosterEntry.objects.filter(
        employee_id__in=[e.pk for e in staff], work_date__range=(date_from, date_to)
    )
    before = existing_qs.count()
    if overwrite:
        RosterEntry.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["employee", "work_date"],
            update_fields=["kind", "shift", "note"],
        )
        created, updated, kept = len(rows) - before, before, 0
    else:
        RosterEntry.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        # Counted inside the transaction, so a concurrent writer cannot skew the report.
        created = existing_qs.count() - before
        updated, kept = 0, len(rows) - created
    result = {
        "employees": len(staff),
        "days": len(days),
        "entries": len(rows),
        "created": created,
        "updated": updated,
        "kept": kept,
        "holidays": holidays,
        "makeup_days": makeup_days,
    }
    audit_record(
        actor=actor,
        action="roster.assign",
        object_type=RosterEntry._meta.label_lower,
        object_repr=f"{date_from:%Y-%m-%d}..{date_to:%Y-%m-%d} x {len(staff)}",
        changes={
            **result,
            "date_from": date_from,
            "date_to": date_to,
            "overwrite": overwrite,
            "pattern": {str(w): (pattern[w].code if pattern.get(w) else None) for w in range(7)},
            "employee_ids": sorted(e.pk for e in staff),
        },
    )
    return result


@privileged_service("attendance.roster_entry_set", label=gettext_lazy("change the roster of a day already begun"))
@transaction.atomic
def roster_entry_set(
    *,
    actor,
    employee_id: int,
    work_date: datetime.date,
    kind: str,
    shift_id: int | None = None,
    note: str = "",
) -> RosterEntry:
    """Set one employee's roster for one day (a swap, a manual rest day in an unknown year)."""
    if not has_role(actor, *ROSTER_WRITE_ROLES):
        raise PermissionDeniedError(_("Only supervisors, department managers and HR may change the roster."))
    if kind not in DayKind.values:
        raise ApplicationError(_("Unknown kind of day."), code=AttendanceErrorCode.KIND_INVALID)
    if kind == DayKind.WORK and shift_id is None:
        raise ApplicationError(_("A working day needs a shift."), code=AttendanceErrorCode.SHIFT_REQUIRED)
    shift = None
    if kind == DayKind.WORK:
        shift = ShiftType.objects.filter(pk=shift_id).first()
        if shift is None:
            raise ApplicationError(_("Unknown shift type."), code=AttendanceErrorCode.PATTERN_INVALID)
        _active_shift(shift)
    (staff,) = _employees_for_roster(actor, [employee_id])
    _refuse_own_past(actor=actor, employees=[staff], date_from=work_date, action="attendance.roster_entry_set")
    _refuse_locked([staff], work_date, work_date)
    fields = ["kind", "shift", "note"]
    entry = RosterEntry.objects.select_for_update().filter(employee_id=staff.pk, work_date=work_date).first()
    before = snapshot(entry, fields) if entry else None
    if entry is None:
        entry = RosterEntry(employee_id=staff.pk, work_date=work_date)
    entry.kind, entry.shift, entry.note = kind, shift, (note or "").strip()[:200]
    if before is None:
        entry.save(force_insert=True)
    else:
        entry.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="roster.entry_set",
        obj=entry,
        changes={**model_changes(entry, before, fields), "employee": staff.pk, "work_date": work_date},
    )
    return entry


# --- The default roster of a new employee (GEN-1, ATT-1) ---------------------------------------

# The regulation's default shift (白班, Monday to Friday); a rest day on Saturday and Sunday.
ROSTER_DEFAULT_SHIFT = "D"


def _month_end_after(day: datetime.date) -> datetime.date:
    """The last day of the month after ``day``'s month."""
    month = day.month + 2  # the first day of this month ends the span
    return datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)


@transaction.atomic
def roster_default_apply(*, actor, employees: Iterable[Employee]) -> dict:
    """The default roster of employees just hired or rehired (called by the hiring hook, in the
    hiring transaction): the default shift Monday to Friday by the statutory calendar (ATT-1),
    from the hire date (today, for a hire date already past) to the end of the following month;
    supervisors plan the months after as for everyone (:func:`roster_assign`). Days already
    rostered are kept, and so are days of a verified month (ATT-2) and of a year the calendar does
    not know (never guessed). Without an active default shift type nothing is rostered. One audit
    event per call. Returns ``{"employees", "entries", "skipped"}``."""
    staff = [e for e in employees if e.status == EmploymentStatus.ACTIVE]
    shift = ShiftType.objects.filter(code=ROSTER_DEFAULT_SHIFT, active=True).first()
    if not staff or shift is None:
        return {"employees": 0, "entries": 0, "skipped": "no default shift type" if staff else ""}
    pattern = {weekday: shift for weekday in range(5)}
    today = timezone.localdate()
    plans: dict[datetime.date, list] = {}
    unknown_years: set[int] = set()
    for start in {max(e.hire_date, today) for e in staff}:
        calendar = []
        for offset in range((_month_end_after(start) - start).days + 1):
            day = start + datetime.timedelta(days=offset)
            try:
                calendar.append((day, *chinese_calendar.get_holiday_detail(day)))
            except NotImplementedError:
                unknown_years.add(day.year)
        plans[start] = _plan_days(calendar, pattern)[0]
    days = [day for plan in plans.values() for day, *_rest in plan]
    locked = (
        roster_locked_months(team_ids=[e.team_id for e in staff], date_from=min(days), date_to=max(days))
        if days
        else set()
    )
    rows = [
        RosterEntry(employee_id=employee.pk, work_date=day, kind=kind, shift=day_shift, note=note)
        for employee in staff
        for day, kind, day_shift, note in plans[max(employee.hire_date, today)]
        if (employee.team_id, day.replace(day=1)) not in locked
    ]
    RosterEntry.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    result = {"employees": len(staff), "entries": len(rows), "skipped": ""}
    audit_record(
        actor=actor,
        action="roster.default_apply",
        object_type=RosterEntry._meta.label_lower,
        object_repr=f"default roster x {len(staff)}",
        changes={
            **result,
            "shift": shift.code,
            "unknown_years": sorted(unknown_years),
            "employee_ids": sorted(e.pk for e in staff)[:1000],
        },
    )
    return result


# --- Off-phone activities (issue 16, sessions part) --------------------------------------------------


def _off_phone_check(*, starts_at: datetime.datetime, ends_at: datetime.datetime, kind: str, source_key: str) -> None:
    if not source_key or len(source_key) > 60:
        raise ApplicationError(
            _("An off-phone activity needs a source key of at most 60 characters."),
            code=AttendanceErrorCode.OFF_PHONE_INVALID,
        )
    if kind not in OffPhoneKind.values:
        raise ApplicationError(_("Unknown kind of off-phone activity."), code=AttendanceErrorCode.OFF_PHONE_INVALID)
    if ends_at <= starts_at:
        raise ApplicationError(
            _("An off-phone activity ends after it starts."), code=AttendanceErrorCode.OFF_PHONE_INVALID
        )


@transaction.atomic
def off_phone_activity_set(
    *,
    actor,
    employee_id: int,
    source_key: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str,
    label: str = "",
) -> OffPhoneActivity:
    """Block ``employee_id``'s time from ``starts_at`` to ``ends_at`` for an off-phone activity
    (training, a meeting, coaching; ATT-1): the board shows it, the day's result does not count
    lateness for a shift start inside it (ATT-4). One activity per employee and ``source_key``:
    setting it again replaces it. The calling service has decided that it may (an enrolment)."""
    _off_phone_check(starts_at=starts_at, ends_at=ends_at, kind=kind, source_key=source_key)
    activity, created = OffPhoneActivity.objects.select_for_update().update_or_create(
        employee_id=employee_id,
        source_key=source_key,
        defaults={"starts_at": starts_at, "ends_at": ends_at, "kind": kind, "label": label[:200]},
    )
    audit_record(
        actor=actor,
        action="off_phone_activity.set",
        obj=activity,
        changes={
            "employee": employee_id,
            "source": source_key,
            "kind": kind,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "created": created,
        },
    )
    return activity


@transaction.atomic
def off_phone_activity_clear(*, actor, source_key: str, employee_ids: Iterable[int] | None = None) -> int:
    """Remove the activities set under ``source_key`` (for ``employee_ids``, or for everyone it
    was set for): the time is back on the phone. Returns how many went; audited once."""
    qs = OffPhoneActivity.objects.filter(source_key=source_key)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    removed = sorted(qs.values_list("employee_id", flat=True))
    if not removed:
        return 0
    qs.delete()
    audit_record(
        actor=actor,
        action="off_phone_activity.clear",
        object_type="attendance.offphoneactivity",
        object_id=source_key,
        changes={"source": source_key, "employees": removed},
    )
    return len(removed)
