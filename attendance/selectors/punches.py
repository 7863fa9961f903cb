"""Attendance selectors: punches, the clock page, the supervisor's live board, proxy punching.

Shift windows (ATT-1): a shift runs from its scheduled start to its scheduled end in the site's
time zone (Asia/Shanghai); an overnight shift (end <= start) ends the next day and belongs to
the day it starts. Punches belong to a shift when they fall in its *window*: from
``PUNCH_WINDOW_BEFORE`` before the start to ``PUNCH_WINDOW_AFTER`` after the end, and where a
previous day's overnight shift and today's shift would overlap, the boundary is the midpoint
between the end of the one and the start of the other. So a punch at 02:00 belongs to the
22:00-07:00 shift that started the day before, while it is still running.

Direction is not stored on a punch: inside a shift window the 1st, 3rd, ... punch is "in" and
the 2nd, 4th, ... is "out".

Lateness (ATT-4) is counted in whole minutes (a clock shows 09:05:59 as 09:05): late when the
first punch is more than ``late_grace_minutes`` whole minutes after the scheduled start.
"""

import datetime
import math
import zoneinfo
from collections import defaultdict, deque

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import AttendancePolicy, DayKind, Punch, PunchSource, RosterEntry
from attendance.rules import WINDOW_AFTER, WINDOW_BEFORE
from attendance.selectors.leave import approved_leave_parts
from attendance.selectors.roster import off_phone_activities
from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import Role, has_role
from callcenter.selectors import (
    covered_team_ids,
    employee_of,
    employees_visible_to,
    filter_by_employee,
    policy_in_force,
)

__all__ = [
    "BOARD_MAX_EMPLOYEES",
    "BOARD_STATES",
    "PROXY_MAX_DAYS",
    "PUNCH_WINDOW_AFTER",
    "PUNCH_WINDOW_BEFORE",
    "clock_status",
    "proxy_punch_suspects",
    "punch_list",
    "shift_bounds",
    "team_board",
]

# The same window as the daily computation (attendance.rules.daily), so the clock page and the
# nightly record agree on which punches belong to a shift.
PUNCH_WINDOW_BEFORE = WINDOW_BEFORE
PUNCH_WINDOW_AFTER = WINDOW_AFTER
BOARD_MAX_EMPLOYEES = 500
PROXY_MAX_DAYS = 31

# Board states in display order.
BOARD_STATES = ["late", "absent", "in", "off_phone", "scheduled", "out", "finished", "on_leave", "rest", "unscheduled"]


def _site_tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), _site_tz())


def _minutes(delta: datetime.timedelta) -> int:
    """Whole minutes (truncated toward zero for positive deltas)."""
    return math.floor(delta.total_seconds() / 60)


# --- Punch list ------------------------------------------------------------------------------------


def punch_list(*, user, filters: dict | None = None) -> QuerySet[Punch]:
    """Punches of the employees ``user`` may see; filters: employee, date_from, date_to (local)."""
    filters = filters or {}
    qs = filter_by_employee(Punch.objects.select_related("employee", "device"), user)
    if employee := filters.get("employee"):
        qs = qs.filter(employee_id=employee)
    if date_from := filters.get("date_from"):
        qs = qs.filter(punched_at__gte=_day_start(date_from))
    if date_to := filters.get("date_to"):
        qs = qs.filter(punched_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return qs.order_by("-punched_at", "-id")


# --- Shift windows ---------------------------------------------------------------------------------


def shift_bounds(entry: RosterEntry | None) -> tuple[datetime.datetime, datetime.datetime] | None:
    """Scheduled start and end (aware) of a work roster entry, else None (ATT-1)."""
    if entry is None or entry.kind != DayKind.WORK or entry.shift is None:
        return None
    tz = _site_tz()
    shift = entry.shift
    start = timezone.make_aware(datetime.datetime.combine(entry.work_date, shift.start_time), tz)
    end_day = entry.work_date + datetime.timedelta(days=1) if shift.overnight else entry.work_date
    end = timezone.make_aware(datetime.datetime.combine(end_day, shift.end_time), tz)
    return start, end


def _current_shift(entries: dict, now: datetime.datetime) -> dict:
    """Which roster entry ``now`` belongs to and the window of punches that count for it.

    ``entries`` maps a date to the employee's RosterEntry (yesterday and today at least).
    """
    today = timezone.localtime(now, _site_tz()).date()
    yesterday = today - datetime.timedelta(days=1)
    y_entry, t_entry = entries.get(yesterday), entries.get(today)
    y_bounds, t_bounds = shift_bounds(y_entry), shift_bounds(t_entry)
    cutoff = _day_start(today)
    if y_bounds and y_entry.shift.overnight:
        cutoff = y_bounds[1] + PUNCH_WINDOW_AFTER
        if t_bounds:
            cutoff = min(cutoff, y_bounds[1] + (t_bounds[0] - y_bounds[1]) / 2)
        if now < cutoff:
            # A punch after midnight belongs to the shift that started the day before (ATT-1).
            return {
                "entry": y_entry,
                "bounds": y_bounds,
                "window": (y_bounds[0] - PUNCH_WINDOW_BEFORE, cutoff),
                "from_previous_day": True,
            }
    if t_bounds:
        start = max(cutoff, t_bounds[0] - PUNCH_WINDOW_BEFORE)
        window = (start, t_bounds[1] + PUNCH_WINDOW_AFTER)
    else:
        window = (cutoff, _day_start(today + datetime.timedelta(days=1)))
    return {"entry": t_entry, "bounds": t_bounds, "window": window, "from_previous_day": False}


def _evaluate(entries: dict, punches: list[Punch], now: datetime.datetime, grace: int) -> dict:
    """The state of one employee's current shift from roster entries and punches (pure)."""
    current = _current_shift(entries, now)
    w_start, w_end = current["window"]
    in_window = sorted((p for p in punches if w_start <= p.punched_at < w_end), key=lambda p: (p.punched_at, p.pk))
    bounds = current["bounds"]
    entry = current["entry"]
    result = {
        **current,
        "punches": in_window,
        "punch_count": len(in_window),
        "last_punch": in_window[-1] if in_window else None,
        "first_in": in_window[0].punched_at if in_window else None,
        "next_action": "in" if len(in_window) % 2 == 0 else "out",
        "late_minutes": 0,
        "is_late": False,
        "late_now_minutes": 0,
        "is_late_now": False,
        "scheduled_minutes_elapsed": 0,
        "worked_minutes_elapsed": 0,
    }
    if bounds is None:
        if entry is not None and entry.kind in (DayKind.REST, DayKind.HOLIDAY):
            result["state"] = "rest"
        else:
            result["state"] = "unscheduled"
        return result
    start, end = bounds
    if in_window and in_window[0].punched_at < end:
        late = _minutes(in_window[0].punched_at - start)
        if late > grace:  # ATT-4: lateness within the grace period is not counted
            result["late_minutes"], result["is_late"] = late, True
    elif not in_window and now < end:
        late = _minutes(now - start)
        if late > grace:
            result["late_now_minutes"], result["is_late_now"] = late, True

    # Schedule adherence: punched-in time inside the scheduled time elapsed so far.
    elapsed_end = min(now, end)
    if elapsed_end > start:
        result["scheduled_minutes_elapsed"] = _minutes(elapsed_end - start)
        if in_window:
            first = in_window[0].punched_at
            last = now if len(in_window) % 2 == 1 else in_window[-1].punched_at
            overlap = min(last, elapsed_end) - max(first, start)
            result["worked_minutes_elapsed"] = max(0, _minutes(overlap))

    count = len(in_window)
    if count % 2 == 1:
        result["state"] = "late" if result["is_late"] else "in"
    elif count:
        result["state"] = "finished" if now >= end or in_window[-1].punched_at >= end else "out"
    elif now >= end or result["is_late_now"]:
        result["state"] = "absent"
    else:
        result["state"] = "scheduled"
    return result


def _explain(status: dict, grace: int) -> str:
    if status["bounds"] is None:
        return ""
    start = timezone.localtime(status["bounds"][0], _site_tz())
    params = {"start": start.strftime("%H:%M"), "grace": grace}
    if status["is_late"]:
        params["minutes"] = status["late_minutes"]
        return (
            _(
                "Your shift started at %(start)s; the grace period is %(grace)d minutes (ATT-4). "
                "Your first punch was %(minutes)d minutes late."
            )
            % params
        )
    if status["is_late_now"]:
        params["minutes"] = status["late_now_minutes"]
        return (
            _(
                "Your shift started at %(start)s; the grace period is %(grace)d minutes (ATT-4). "
                "You have not clocked in yet and are %(minutes)d minutes late."
            )
            % params
        )
    if status["punch_count"]:
        return _("Your shift started at %(start)s; you clocked in on time (ATT-4).") % params
    return (
        _("Your shift starts at %(start)s; clocking in more than %(grace)d minutes later counts as late (ATT-4).")
        % params
    )


def _entries_and_punches(employee_ids: list[int], now: datetime.datetime):
    """Roster entries (yesterday, today) and punches that can fall in a current window: 2 queries."""
    today = timezone.localtime(now, _site_tz()).date()
    yesterday = today - datetime.timedelta(days=1)
    entries: dict[int, dict] = defaultdict(dict)
    for entry in RosterEntry.objects.filter(
        employee_id__in=employee_ids, work_date__in=[yesterday, today]
    ).select_related("shift"):
        entries[entry.employee_id][entry.work_date] = entry
    punches: dict[int, list] = defaultdict(list)
    since = _day_start(yesterday) - PUNCH_WINDOW_BEFORE
    for punch in Punch.objects.filter(
        employee_id__in=employee_ids, punched_at__gte=since, punched_at__lte=now + datetime.timedelta(minutes=5)
    ).only("id", "employee_id", "punched_at", "source"):
        punches[punch.employee_id].append(punch)
    return entries, punches


# --- Clock page ------------------------------------------------------------------------------------


def clock_status(*, employee: Employee, now: datetime.datetime | None = None) -> dict:
    """What the clock page shows: today's shift, last punch, next action, lateness (ATT-1, ATT-4)."""
    now = now or timezone.now()
    entries, punches = _entries_and_punches([employee.pk], now)
    policy = policy_in_force(AttendancePolicy, timezone.localtime(now, _site_tz()).date())
    grace = policy.late_grace_minutes
    status = _evaluate(entries.get(employee.pk, {}), punches.get(employee.pk, []), now, grace)
    today = timezone.localtime(now, _site_tz()).date()
    leave = approved_leave_parts(employee_ids=[employee.pk], date_from=today, date_to=today).get((employee.pk, today))
    if leave and _leave_covers_now(leave["part"], status, now):
        status.update(state="on_leave", late_now_minutes=0, is_late_now=False)
    entry = status["entry"]
    status.update(
        {
            "leave": leave,
            "employee": employee,
            "now": now,
            "local_date": timezone.localtime(now, _site_tz()).date(),
            "shift": entry.shift if entry is not None else None,
            "kind": entry.kind if entry is not None else None,
            "scheduled_start": status["bounds"][0] if status["bounds"] else None,
            "scheduled_end": status["bounds"][1] if status["bounds"] else None,
            "grace_minutes": grace,
            "explanation": _explain(status, grace),
        }
    )
    return status


# --- Supervisor's live board -----------------------------------------------------------------------


def _board_members(user) -> tuple[list[Employee], bool]:
    visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
    if not has_role(user, Role.HR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER):
        # A supervisor's teams, and those they cover today (an access grant).
        me = employee_of(user)
        teams = Q(team_id__in=sorted(covered_team_ids(user)))
        visible = visible.filter(Q(team__supervisor=me) | teams) if me is not None else visible.none()
    members = list(visible.select_related("team").order_by("team__code", "employee_no")[: BOARD_MAX_EMPLOYEES + 1])
    capped = len(members) > BOARD_MAX_EMPLOYEES
    return members[:BOARD_MAX_EMPLOYEES], capped


def _leave_covers_now(part: str, status: dict, now: datetime.datetime) -> bool:
    """Is the employee on approved leave at ``now``? A half day ends or starts at the shift's
    midpoint (the rule the nightly computation uses)."""
    if part == "full":
        return not status["punch_count"]
    bounds = status["bounds"]
    if bounds is None:
        return False
    middle = bounds[0] + (bounds[1] - bounds[0]) / 2
    if part == "morning":
        return now < middle and not status["punch_count"]
    return now >= middle and status["state"] in ("out", "absent", "finished")


def team_board(*, user, now: datetime.datetime | None = None) -> dict:
    """Today's state of every agent on the user's teams (or all visible for HR and managers).

    A constant number of queries whatever the team size: members, roster entries, punches,
    policy, leave, off-phone activities (plus the visibility look-ups).

    An employee in an off-phone activity right now (training, a meeting, coaching: set by the
    app that sent them, e.g. a training enrolment) is shown in it (``off_phone``, with the
    activity's kind as the label), not absent or late (ATT-1, ATT-4); approved leave still wins.
    """
    now = now or timezone.now()
    members, capped = _board_members(user)
    ids = [m.pk for m in members]
    entries, punches = _entries_and_punches(ids, now) if ids else ({}, {})
    grace = policy_in_force(AttendancePolicy, timezone.localtime(now, _site_tz()).date()).late_grace_minutes
    rows = []
    counts = dict.fromkeys(BOARD_STATES, 0)
    scheduled_total = worked_total = 0
    today = timezone.localtime(now, _site_tz()).date()
    leave = approved_leave_parts(employee_ids=ids, date_from=today, date_to=today) if ids else {}
    activities = off_phone_activities(employee_ids=ids, since=now, until=now + datetime.timedelta(seconds=1))
    for member in members:
        status = _evaluate(entries.get(member.pk, {}), punches.get(member.pk, []), now, grace)
        on_leave = leave.get((member.pk, today))
        if on_leave and _leave_covers_now(on_leave["part"], status, now):
            # ATT-3: approved leave is neither lateness nor absence (LV-5).
            status.update(state="on_leave", late_now_minutes=0, is_late_now=False, scheduled_minutes_elapsed=0)
        activity = activities[member.pk][0] if member.pk in activities else None
        if activity is not None and status["state"] != "on_leave":
            # Off the phone on the company's business (training, a meeting): not absent, not late.
            status.update(state="off_phone", late_now_minutes=0, is_late_now=False, late_minutes=0)
        counts[status["state"]] += 1
        scheduled_total += status["scheduled_minutes_elapsed"]
        worked_total += status["worked_minutes_elapsed"]
        bounds = status["bounds"]
        elapsed = status["scheduled_minutes_elapsed"]
        rows.append(
            {
                "employee": member,
                "state": status["state"],
                "shift": status["entry"].shift if status["entry"] is not None else None,
                "scheduled_start": bounds[0] if bounds else None,
                "scheduled_end": bounds[1] if bounds else None,
                "first_in": status["first_in"],
                "last_punch": status["last_punch"].punched_at if status["last_punch"] else None,
                "punch_count": status["punch_count"],
                "late_minutes": status["late_minutes"] or status["late_now_minutes"],
                "adherence_percent": round(100 * status["worked_minutes_elapsed"] / elapsed) if elapsed else None,
                "leave": on_leave,
                "activity": activity,
            }
        )
    groups = [{"state": s, "rows": [r for r in rows if r["state"] == s]} for s in BOARD_STATES]
    return {
        "now": now,
        "rows": rows,
        "groups": [g for g in groups if g["rows"]],
        "counts": counts,
        "total": len(rows),
        "capped": capped,
        "grace_minutes": grace,
        "scheduled_minutes": scheduled_total,
        "worked_minutes": worked_total,
        "adherence_percent": round(100 * worked_total / scheduled_total, 1) if scheduled_total else None,
    }


# --- Proxy punching (代打卡, ATT-2) ----------------------------------------------------------------


def proxy_punch_suspects(
    *,
    user,
    since: datetime.datetime,
    until: datetime.datetime,
    window_minutes: int = 2,
    min_employees: int = 2,
) -> list[dict]:
    """Punches by different employees from the same time clock or the same IP address within
    ``window_minutes`` (ATT-2 forbids proxy punching). One ordered query, one pass.

    A group starts at a punch and takes every later punch from the same source within the window
    of that first punch. Groups whose punches also share one browser (user agent) are marked
    ``same_browser``: the strongest sign, since a whole floor may share one NAT address.
    """
    if until - since > datetime.timedelta(days=PROXY_MAX_DAYS):
        since = until - datetime.timedelta(days=PROXY_MAX_DAYS)
    window = datetime.timedelta(minutes=window_minutes)
    qs = (
        filter_by_employee(Punch.objects.all(), user)
        .filter(punched_at__gte=since, punched_at__lt=until)
        .exclude(source=PunchSource.CORRECTION)
        .select_related("employee", "device")
        .only(
            "id",
            "punched_at",
            "source",
            "ip",
            "user_agent",
            "device__id",
            "device__name",
            "employee__id",
            "employee__name",
            "employee__employee_no",
        )
        .order_by("punched_at", "id")
    )
    open_groups: dict[tuple, deque] = {}
    closed: list[tuple[tuple, list[Punch]]] = []

    def close(key):
        closed.append((key, list(open_groups.pop(key))))

    for punch in qs.iterator(chunk_size=2000):
        keys = []
        if punch.device_id is not None:
            keys.append(("device", punch.device_id))
        elif punch.ip:
            keys.append(("ip", punch.ip))
        for key in keys:
            group = open_groups.get(key)
            if group is not None and punch.punched_at - group[0].punched_at > window:
                close(key)
                group = None
            if group is None:
                open_groups[key] = group = deque()
            group.append(punch)
    for key in list(open_groups):
        close(key)

    suspects = []
    for (kind, value), group in closed:
        employees = {p.employee_id: p.employee for p in group}
        if len(employees) < min_employees:
            continue
        agents = {p.user_agent for p in group}
        suspects.append(
            {
                "by": kind,
                "source": group[0].device.name if kind == "device" else value,
                "first_at": group[0].punched_at,
                "last_at": group[-1].punched_at,
                "employees": sorted(employees.values(), key=lambda e: e.employee_no),
                "punches": group,
                "same_browser": kind == "ip" and len(agents) == 1 and "" not in agents,
            }
        )
    suspects.sort(key=lambda s: (s["first_at"], s["by"], str(s["source"])))
    return suspects
