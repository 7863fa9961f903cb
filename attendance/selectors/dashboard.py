"""The attendance cards of the role dashboards (issue 14, "dashboards are work queues"),
registered in :mod:`attendance.apps` as ``callcenter.providers.DashboardCard``: the reader's day
(today's shift and punch, ATT-1, ATT-4; their correction requests in flight, ATT-2), the
corrections waiting for their decision, and for a supervisor who of their team is late or absent
right now (from today's roster and punches). Every loader runs a bounded number of queries."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from attendance.models import CorrectionStatus, Punch, PunchCorrection, RosterEntry
from attendance.selectors.corrections import punch_correction_list
from attendance.selectors.punches import clock_status, team_board
from callcenter.models import Employee
from callcenter.roles import Role, has_role

__all__ = [
    "CORRECTION_DECIDER_ROLES",
    "DASHBOARD_TEAM_NAMES",
    "attendance_dashboard_corrections",
    "attendance_dashboard_team_now",
    "attendance_dashboard_today",
]

CORRECTION_DECIDER_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.HR)
# How many names of the late and of the absent the supervisor's card lists (the count is exact).
DASHBOARD_TEAM_NAMES = 5


# The "corrections to decide" count, computed in the same query as the reader's day (below) and
# read once by the card after it (a per-request attribute of the user object, consumed on read).
_TO_DECIDE_ATTR = "_attendance_dashboard_to_decide"


def _count_subquery(qs) -> Subquery:
    return Subquery(qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")[:1])


def _to_decide_annotation(user) -> dict:
    if not has_role(user, *CORRECTION_DECIDER_ROLES):
        return {}
    return {"to_decide": Coalesce(_count_subquery(punch_correction_list(user=user, filters={"to_decide": True})), 0)}


def attendance_dashboard_today(*, user, me: Employee) -> dict | None:
    """Today's shift and punch state of the reader (ATT-1, ATT-4, as the clock page explains it)
    and how many of their correction requests still wait for a decision.

    Every employee is rostered and clocks in (ATT-1, ATT-2), not agents only: a supervisor, a
    department manager, HR or the complaint team see their own day too when their team's roster
    has an entry for them today (a shift, a rest day or a holiday; or last night's overnight shift)
    or they punched today. An agent always sees it, even to be told that no shift is rostered.
    One query decides and counts the reader's corrections in flight (and, for a reader who decides
    corrections, the count of the "corrections to decide" card, which then reads it instead of
    querying again); the clock status's queries (:func:`clock_status`) follow only for a reader
    who sees the card. A supervisor, manager or HR reader's dashboard thus sends no more queries
    for a day they are not rostered than before this card was theirs."""
    today = timezone.localdate()
    to_decide = _to_decide_annotation(user)
    rostered = RosterEntry.objects.filter(employee_id=OuterRef("pk")).filter(
        Q(work_date=today)
        | Q(work_date=today - datetime.timedelta(days=1), shift__end_time__lte=F("shift__start_time"))
    )
    row = (
        Employee.objects.filter(pk=me.pk)
        .annotate(
            rostered=Exists(rostered),
            punched=Exists(Punch.objects.filter(employee_id=OuterRef("pk"), punched_at__date=today)),
            corrections_pending=Coalesce(
                _count_subquery(
                    PunchCorrection.objects.filter(employee_id=OuterRef("pk"), status=CorrectionStatus.PENDING)
                ),
                0,
            ),
            **to_decide,
        )
        .values("rostered", "punched", "corrections_pending", *to_decide)
        .get()
    )
    if "to_decide" in row:  # handed to attendance_dashboard_corrections, on this request's user
        setattr(user, _TO_DECIDE_ATTR, row["to_decide"])
    if not (row["rostered"] or row["punched"] or has_role(user, Role.AGENT)):
        return None
    return {"status": clock_status(employee=me), "corrections_pending": row["corrections_pending"]}


def attendance_dashboard_corrections(*, user, me: Employee | None) -> dict | None:
    """Correction requests waiting for the reader's decision (never their own): for the roles
    that decide them (supervisors, department managers, HR), even when none waits. One query."""
    if not has_role(user, *CORRECTION_DECIDER_ROLES):
        return None
    if hasattr(user, _TO_DECIDE_ATTR):  # counted with the reader's day (attendance_dashboard_today)
        count = getattr(user, _TO_DECIDE_ATTR)
        delattr(user, _TO_DECIDE_ATTR)
        return {"count": count}
    return {"count": punch_correction_list(user=user, filters={"to_decide": True}).count()}


def attendance_dashboard_team_now(*, user, me: Employee) -> dict:
    """Who of the supervisor's teams is late or absent right now: today's roster against today's
    punches, approved leave excused (ATT-3, ATT-4; :func:`team_board`, a constant number of
    queries whatever the team size)."""
    board = team_board(user=user)
    late = [row for row in board["rows"] if row["state"] == "late"]
    absent = [row for row in board["rows"] if row["state"] == "absent"]
    return {
        "total": board["total"],
        "late": len(late),
        "absent": len(absent),
        "late_rows": late[:DASHBOARD_TEAM_NAMES],
        "absent_rows": absent[:DASHBOARD_TEAM_NAMES],
        "grace_minutes": board["grace_minutes"],
        "capped": board["capped"],
    }
