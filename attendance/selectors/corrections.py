"""Attendance selectors: punch corrections (补卡, ATT-2)."""

import datetime
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import CorrectionStatus, Punch, PunchCorrection, RosterEntry
from attendance.rules import WINDOW_AFTER, WINDOW_BEFORE, correction_compare, shift_window
from callcenter.errors import NotFoundError
from callcenter.roles import Role, has_role
from callcenter.selectors import covered_team_ids, employee_of, filter_by_employee

__all__ = [
    "punch_correction_beside_the_day",
    "punch_correction_can_decide",
    "punch_correction_get",
    "punch_correction_list",
]


def _base_qs() -> QuerySet[PunchCorrection]:
    return PunchCorrection.objects.select_related(
        "employee__team", "employee__department", "decided_by", "punch"
    ).order_by("-submitted_at", "-pk")


def punch_correction_can_decide(*, user, correction: PunchCorrection) -> bool:
    """ATT-2: the employee's team supervisor (first in the approval chain) or a covering supervisor
    of the team (an access grant in force), their department manager, or HR decides; never the
    employee themself (no self-approval, whatever the role).

    Needs ``correction.employee.team`` and ``.department`` loaded (the selectors do it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    me = employee_of(user)
    employee = correction.employee
    if me is not None and me.pk == employee.pk:
        return False
    if has_role(user, Role.HR):
        return True
    if me is None:
        return False
    team = employee.team
    if team is not None and team.supervisor_id == me.pk and has_role(user, Role.SUPERVISOR):
        return True
    if team is not None and team.pk in covered_team_ids(user):
        return True
    return employee.department.manager_id == me.pk and has_role(user, Role.DEPARTMENT_MANAGER)


def punch_correction_list(*, user, filters: dict | None = None) -> QuerySet[PunchCorrection]:
    """Corrections ``user`` may see. Filters: ``status``; ``mine`` (own requests only);
    ``to_decide`` (pending requests where ``user`` is the approver, never their own)."""
    filters = filters or {}
    qs = filter_by_employee(_base_qs(), user)
    me = employee_of(user)
    if (status := filters.get("status")) and status in CorrectionStatus.values:
        qs = qs.filter(status=status)
    if filters.get("mine"):
        qs = qs.filter(employee_id=me.pk) if me else qs.none()
    if filters.get("to_decide"):
        qs = qs.filter(status=CorrectionStatus.PENDING)
        if me is not None:
            qs = qs.exclude(employee_id=me.pk)
        if not has_role(user, Role.HR):
            if me is None:
                return qs.none()
            remit = Q(pk__in=[])
            if has_role(user, Role.SUPERVISOR):
                remit |= Q(employee__team__supervisor_id=me.pk)
            if covered := covered_team_ids(user):
                remit |= Q(employee__team_id__in=sorted(covered))
            if has_role(user, Role.DEPARTMENT_MANAGER):
                remit |= Q(employee__department__manager_id=me.pk)
            qs = qs.filter(remit)
    return qs


def punch_correction_get(*, user, pk) -> PunchCorrection:
    """One correction, or NotFoundError when it does not exist or is not visible (no leak)."""
    correction = filter_by_employee(_base_qs(), user).filter(pk=pk).first()
    if correction is None:
        raise NotFoundError(_("Correction request not found."))
    return correction


def _day_window(work_date: datetime.date, entry, tz) -> tuple[datetime.datetime, datetime.datetime]:
    """The punches that belong to a working day: the shift's window (ATT-1, as the nightly job
    reads it) or, without a shift, the calendar day."""
    if entry is not None and entry.shift is not None:
        start, end = shift_window(work_date, entry.shift, tz)
        return start - WINDOW_BEFORE, end + WINDOW_AFTER
    start = datetime.datetime.combine(work_date, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def punch_correction_beside_the_day(corrections: list[PunchCorrection]) -> list[PunchCorrection]:
    """The day next to each claimed time, for the approver (ATT-2): ``c.roster`` (the roster entry
    with its shift, or None), ``c.shift_start`` / ``c.shift_end``, ``c.day_punches`` (the punches
    recorded in the day's window: time, source, device) and ``c.comparison`` (a
    :class:`~attendance.rules.CorrectionComparison`). Two queries however many corrections."""
    if not corrections:
        return corrections
    tz = timezone.get_current_timezone()
    employee_ids = sorted({c.employee_id for c in corrections})
    dates = sorted({c.work_date for c in corrections})
    entries = {
        (e.employee_id, e.work_date): e
        for e in RosterEntry.objects.filter(employee_id__in=employee_ids, work_date__in=dates).select_related("shift")
    }
    first = datetime.datetime.combine(dates[0], datetime.time.min, tzinfo=tz) - WINDOW_BEFORE
    last = (
        datetime.datetime.combine(dates[-1] + datetime.timedelta(days=2), datetime.time.min, tzinfo=tz) + WINDOW_AFTER
    )
    punches = defaultdict(list)
    for punch in (
        Punch.objects.filter(employee_id__in=employee_ids, punched_at__gte=first, punched_at__lt=last)
        .select_related("device")
        .order_by("punched_at", "pk")
    ):
        punches[punch.employee_id].append(punch)
    for c in corrections:
        entry = entries.get((c.employee_id, c.work_date))
        c.roster = entry
        has_shift = entry is not None and entry.shift is not None
        c.shift_start, c.shift_end = shift_window(c.work_date, entry.shift, tz) if has_shift else (None, None)
        window_start, window_end = _day_window(c.work_date, entry, tz)
        c.day_punches = [p for p in punches[c.employee_id] if window_start <= p.punched_at < window_end]
        c.comparison = correction_compare(
            requested=c.requested_time,
            start=c.shift_start,
            end=c.shift_end,
            punches=[p.punched_at for p in c.day_punches],
        )
    return corrections
