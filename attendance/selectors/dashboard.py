"""The attendance cards of the role dashboards (issue 14, "dashboards are work queues"),
registered in :mod:`attendance.apps` as ``callcenter.providers.DashboardCard``: the reader's day
(today's shift and punch, ATT-1, ATT-4; their correction requests in flight, ATT-2), the
corrections waiting for their decision, and for a supervisor who of their team is late or absent
right now (from today's roster and punches). Every loader runs a bounded number of queries."""

from attendance.models import CorrectionStatus, PunchCorrection
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


def attendance_dashboard_today(*, user, me: Employee) -> dict:
    """Today's shift and punch state of the reader (ATT-1, ATT-4, as the clock page explains it)
    and how many of their correction requests still wait for a decision."""
    return {
        "status": clock_status(employee=me),
        "corrections_pending": PunchCorrection.objects.filter(
            employee_id=me.pk, status=CorrectionStatus.PENDING
        ).count(),
    }


def attendance_dashboard_corrections(*, user, me: Employee | None) -> dict | None:
    """Correction requests waiting for the reader's decision (never their own): for the roles
    that decide them (supervisors, department managers, HR), even when none waits. One query."""
    if not has_role(user, *CORRECTION_DECIDER_ROLES):
        return None
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
