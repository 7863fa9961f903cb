"""Attendance services: daily records computed from the roster and the punches (ATT-1/4/5),
the month's verification (ATT-2) and the monthly summary export (ATT-4, ATT-5).

The nightly job computes the day before for everyone with a roster entry; it is idempotent (an
upsert per employee and day) and leaves months that a supervisor has verified alone (ATT-2):
after sign-off, only an approved correction recomputes a day, and the record says so.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.errors import AttendanceErrorCode
from attendance.models import AttendancePolicy, DailyAttendance, MonthVerification, Punch, RosterEntry
from attendance.rules import WINDOW_AFTER, WINDOW_BEFORE, evaluate_day, shift_window
from attendance.selectors.daily import month_verify_allowed, monthly_summary_list, summary_team_id, summary_teams
from attendance.selectors.leave import approved_leave_parts
from attendance.selectors.roster import off_phone_activities
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.models import Employee, Team
from callcenter.selectors import policy_in_force
from datasecurity.services import audit_record

__all__ = [
    "SUMMARY_EXPORT_FORMATS",
    "daily_attendance_compute",
    "daily_attendance_compute_all",
    "daily_attendance_recompute",
    "month_is_locked",
    "month_verify",
    "monthly_summary_export",
]

SUMMARY_EXPORT_FORMATS = ("csv", "xlsx")

_UPDATE_FIELDS = [
    "status",
    "shift",
    "scheduled_start",
    "scheduled_end",
    "first_in",
    "last_out",
    "late_minutes",
    "early_minutes",
    "scheduled_minutes",
    "worked_minutes",
    "explanation",
    "computed_at",
]


def month_is_locked(*, team_id: int | None, day: datetime.date) -> bool:
    if team_id is None:
        return False
    return MonthVerification.objects.filter(team_id=team_id, month=day.replace(day=1)).exists()


def _punch_window(day: datetime.date, tz) -> tuple[datetime.datetime, datetime.datetime]:
    # Wide enough for any shift starting on ``day``, overnight ones included.
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz) - WINDOW_BEFORE
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.max, tzinfo=tz) + WINDOW_AFTER
    return start, end


def _off_phone(activities, tz) -> list[dict]:
    """Off-phone activities as the rule reads them (ATT-4), in the site's time zone."""
    return [
        {"start": a.starts_at.astimezone(tz), "end": a.ends_at.astimezone(tz), "kind": a.kind, "label": a.label}
        for a in activities
    ]


def _build(
    entry: RosterEntry,
    punches: list[datetime.datetime],
    policy,
    tz,
    *,
    after_verification=False,
    leave=None,
    off_phone=None,
):
    result = evaluate_day(
        kind=entry.kind,
        shift=entry.shift,
        work_date=entry.work_date,
        punches=punches,
        policy=policy,
        tz=tz,
        leave=leave,
        off_phone=off_phone,
    )
    scheduled_start = scheduled_end = None
    if entry.shift is not None and entry.kind == "work":
        scheduled_start, scheduled_end = shift_window(entry.work_date, entry.shift, tz)
    explanation = list(result.explanation)
    if after_verification:
        explanation.append({"rule": "after_verification", "article": "ATT-2"})
    return DailyAttendance(
        employee_id=entry.employee_id,
        work_date=entry.work_date,
        status=result.status,
        shift=entry.shift,
        scheduled_start=scheduled_start,
        scheduled_end=scheduled_end,
        first_in=result.first_in,
        last_out=result.last_out,
        late_minutes=result.late_minutes,
        early_minutes=result.early_minutes,
        scheduled_minutes=result.scheduled_minutes,
        worked_minutes=result.worked_minutes,
        explanation=explanation,
        computed_at=timezone.now(),
    )


@transaction.atomic
def daily_attendance_compute_all(*, work_date: datetime.date) -> dict:
    """Compute ``work_date`` for every employee with a roster entry. Bounded: five queries
    whatever the head count, one bulk upsert."""
    tz = timezone.get_current_timezone()
    policy = policy_in_force(AttendancePolicy, work_date)
    entries = list(
        RosterEntry.objects.filter(work_date=work_date, employee__status="active").select_related("shift", "employee")
    )
    locked_teams = set(
        MonthVerification.objects.filter(month=work_date.replace(day=1)).values_list("team_id", flat=True)
    )
    entries = [e for e in entries if e.employee.team_id not in locked_teams]
    window_start, window_end = _punch_window(work_date, tz)
    punches = defaultdict(list)
    for employee_id, punched_at in Punch.objects.filter(
        employee_id__in=[e.employee_id for e in entries], punched_at__range=(window_start, window_end)
    ).values_list("employee_id", "punched_at"):
        punches[employee_id].append(punched_at.astimezone(tz))
    leave = approved_leave_parts(
        employee_ids=[e.employee_id for e in entries] if len(entries) < 5000 else None,
        date_from=work_date,
        date_to=work_date,
    )
    activities = off_phone_activities(
        employee_ids=[e.employee_id for e in entries], since=window_start, until=window_end
    )
    records = [
        _build(
            e,
            punches[e.employee_id],
            policy,
            tz,
            leave=leave.get((e.employee_id, work_date)),
            off_phone=_off_phone(activities.get(e.employee_id, []), tz),
        )
        for e in entries
    ]
    DailyAttendance.objects.bulk_create(
        records,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["employee", "work_date"],
        update_fields=_UPDATE_FIELDS,
    )
    counts = defaultdict(int)
    for record in records:
        counts[record.status] += 1
    audit_record(
        actor=None,
        action="attendance.daily_compute",
        object_type="attendance.dailyattendance",
        object_id=work_date.isoformat(),
        changes={"computed": len(records), "skipped_locked_teams": len(locked_teams), **counts},
    )
    return {
        "date": work_date.isoformat(),
        "computed": len(records),
        "skipped_locked_teams": len(locked_teams),
        **counts,
    }


def _employee(employee_id: int) -> Employee:
    employee = Employee.objects.only("pk", "team_id").filter(pk=employee_id).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    return employee


@transaction.atomic
def daily_attendance_compute(*, actor, employee_id: int, work_date: datetime.date, after_correction: bool = False):
    """Compute one employee's day (after an approved correction, or on demand). In a verified
    month only a correction may change the record, and the record then says so (ATT-2)."""
    return _compute_day(
        actor=actor, employee=_employee(employee_id), work_date=work_date, after_correction=after_correction
    )


@transaction.atomic
def daily_attendance_recompute(
    *, actor, employee_id: int, date_from: datetime.date, date_to: datetime.date
) -> list[DailyAttendance]:
    """After a decision (an approved correction, leave approved or revoked), the days of
    ``date_from``..``date_to`` already past are computed again, verified months included: the
    record then says it changed after verification (ATT-2, LV-5)."""
    employee = _employee(employee_id)
    today = timezone.localdate()
    records = []
    day = date_from
    while day <= date_to and day < today:
        record = _compute_day(actor=actor, employee=employee, work_date=day, after_correction=True)
        if record is not None:
            records.append(record)
        day += datetime.timedelta(days=1)
    return records


def _compute_day(*, actor, employee: Employee, work_date: datetime.date, after_correction: bool):
    locked = month_is_locked(team_id=employee.team_id, day=work_date)
    if locked and not after_correction:
        raise ApplicationError(
            _("This month has been verified by the supervisor; only an approved correction changes it (ATT-2)."),
            code=AttendanceErrorCode.MONTH_LOCKED,
        )
    entry = RosterEntry.objects.select_related("shift").filter(employee=employee, work_date=work_date).first()
    if entry is None:
        return None
    tz = timezone.get_current_timezone()
    window_start, window_end = _punch_window(work_date, tz)
    punches = [
        p.astimezone(tz)
        for p in Punch.objects.filter(employee=employee, punched_at__range=(window_start, window_end)).values_list(
            "punched_at", flat=True
        )
    ]
    leave = approved_leave_parts(employee_ids=[employee.pk], date_from=work_date, date_to=work_date)
    activities = off_phone_activities(employee_ids=[employee.pk], since=window_start, until=window_end)
    record = _build(
        entry,
        punches,
        policy_in_force(AttendancePolicy, work_date),
        tz,
        after_verification=locked,
        leave=leave.get((employee.pk, work_date)),
        off_phone=_off_phone(activities.get(employee.pk, []), tz),
    )
    DailyAttendance.objects.bulk_create(
        [record], update_conflicts=True, unique_fields=["employee", "work_date"], update_fields=_UPDATE_FIELDS
    )
    saved = DailyAttendance.objects.get(employee=employee, work_date=work_date)
    audit_record(
        actor=actor,
        action="attendance.daily_recompute",
        obj=saved,
        changes={"status": saved.status, "after_correction": after_correction, "after_verification": locked},
    )
    return saved


@transaction.atomic
def month_verify(*, actor, team_id: int, month: datetime.date) -> MonthVerification:
    """The supervisor signs off the team's month (ATT-2 "定期检查和核对"); the month is then locked:
    the nightly job leaves it alone and only approved corrections change it, visibly."""
    visible = summary_teams(user=actor).filter(pk=team_id).values("pk")
    team = Team.objects.select_for_update().filter(pk__in=visible).first()
    if team is None:
        raise NotFoundError(_("Team not found."))
    if not month_verify_allowed(user=actor, team_id=team.pk):
        raise ApplicationError(
            _("Only the team's supervisor verifies its month (ATT-2)."),
            code=AttendanceErrorCode.NOT_SUPERVISOR,
            status=403,
        )
    first = month.replace(day=1)
    if first >= timezone.localdate().replace(day=1):
        raise ApplicationError(
            _("A month can be verified once it has ended."), code=AttendanceErrorCode.MONTH_NOT_ENDED
        )
    if MonthVerification.objects.filter(team=team, month=first).exists():
        raise ApplicationError(_("This month has already been verified."), code=AttendanceErrorCode.ALREADY_VERIFIED)
    verification = MonthVerification.objects.create(team=team, month=first, verified_by=actor)
    audit_record(actor=actor, action="attendance.month_verify", obj=verification, changes={"month": first.isoformat()})
    return verification


# --- Export ----------------------------------------------------------------------------------------


@transaction.atomic
def monthly_summary_export(*, actor, month: datetime.date, team_id: int | None = None, fmt: str) -> ExportFile:
    """The monthly summaries (ATT-4, ATT-5) the actor may see, as CSV or XLSX: of ``team_id`` when
    it is one of their teams, else of everyone they see. The export is audited (same transaction)."""
    if fmt not in SUMMARY_EXPORT_FORMATS:
        raise NotFoundError(_("Unknown export format."))
    first = month.replace(day=1)
    team_id = summary_team_id(user=actor, team_id=team_id)
    rows = monthly_summary_list(user=actor, month=first, team_id=team_id)
    headers = [
        _("Employee number"),
        _("Name"),
        _("Team"),
        _("Lateness / early leave"),
        _("Fines (CNY)"),
        _("Absenteeism days"),
        _("Deduction (CNY)"),
        _("Missing punches"),
        _("Days on approved leave"),
        _("Schedule adherence %"),
    ]
    data = [
        [
            r.employee.employee_no,
            r.employee.name,
            r.employee.team.name if r.employee.team else "",
            r.result.occurrences,
            r.result.fines,
            r.result.absence_days,
            r.result.deduction,
            r.result.missing_punches,
            r.result.leave_days,
            r.result.adherence,
        ]
        for r in rows
    ]
    audit_record(
        actor=actor,
        action="attendance.summary_export",
        object_type="attendance.monthlysummary",
        object_id=f"{first:%Y-%m}",
        changes={"format": fmt, "rows": len(data), "team": team_id},
    )
    filename = f"attendance-{first:%Y-%m}"
    if fmt == "csv":
        return csv_file(filename=filename, headers=headers, rows=data)
    return xlsx_file(
        filename=filename,
        headers=headers,
        rows=[[float(v) if hasattr(v, "as_tuple") else v for v in row] for row in data],
        sheet_title=f"{first:%Y-%m}",
        money_columns=[4, 6],  # fines, deduction (CNY)
        total_columns=[3, 4, 5, 6, 7, 8],  # occurrences, fines, absenteeism days, deduction, missing punches, leave
    )
