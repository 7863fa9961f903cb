"""The regulation's attendance rules as pure functions (ATT-4, ATT-5): no database access.

``evaluate_day`` turns a scheduled shift and the punches of its window into a day result;
``evaluate_month`` turns a month of day results into fines and absenteeism. Both return
explanation items (dicts with the article code and the figures) that the pages render in the
reader's language (see ``explain``).

Choices where the regulation is silent (documented in docs/attendance.md):
- minutes are whole minutes, truncated: 30 min 59 s late is 30 minutes late;
- lateness or early leave within ``late_grace_minutes`` is not an occurrence;
- late and early on the same day are two occurrences (迟到或早退, each counts);
- every occurrence, minor or not, counts towards ``late_count_for_absence_day`` (累计迟到或早退
  达到[X]次), and each N-th occurrence adds one day of absenteeism; with the policy switch
  ``late_count_replaces_fines`` that day replaces the fines of the N occurrences that make it up,
  and only theirs (the 1st and 2nd lateness, or the 4th, keep their fines);
- a day with one punch is a missing punch: no automatic penalty, the employee files a
  correction (ATT-2); a scheduled day with no punch is a day of absenteeism (ATT-5);
- an off-phone activity (training, meeting, coaching: ``OffPhoneActivity``) that covers the
  shift's start moves the start to the activity's end, one that covers the shift's end moves the
  end to the activity's start: lateness and early leave are counted against the time left on the
  phone (ATT-4), the employee was where the company sent them. One that covers the whole shift
  makes the day normal, its scheduled time worked. An activity inside the shift changes nothing
  (the employee punched in before it and out after it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = [
    "CENT",
    "HALF",
    "WINDOW_AFTER",
    "WINDOW_BEFORE",
    "CorrectionComparison",
    "DayResult",
    "MonthLine",
    "MonthResult",
    "correction_compare",
    "days_figure",
    "evaluate_day",
    "evaluate_month",
    "explain",
    "off_phone_trim",
    "shift_window",
]

HALF = Decimal("0.5")
CENT = Decimal("0.01")
# Punches from this long before the shift start to this long after its end belong to the shift.
WINDOW_BEFORE = datetime.timedelta(hours=4)
WINDOW_AFTER = datetime.timedelta(hours=6)


def days_figure(value) -> Decimal:
    """A number of days as people read it (ATT-3, ATT-4, ATT-5): whole days without a decimal
    ("2"), half days with one ("2.5"), never "2.0". Sums of half days (0.5 + 1.5) otherwise carry
    the decimal and the month's figures mix "2" and "2.0"; every count of days goes through here."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal("1"))
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class DayResult:
    status: str
    late_minutes: int = 0
    early_minutes: int = 0
    scheduled_minutes: int = 0
    worked_minutes: int = 0
    first_in: datetime.datetime | None = None
    last_out: datetime.datetime | None = None
    explanation: list[dict] = field(default_factory=list)


def shift_window(work_date: datetime.date, shift, tz) -> tuple[datetime.datetime, datetime.datetime]:
    """Scheduled start and end as aware datetimes; an overnight shift ends the next day (ATT-1)."""
    start = datetime.datetime.combine(work_date, shift.start_time, tzinfo=tz)
    end_date = work_date + datetime.timedelta(days=1) if shift.overnight else work_date
    end = datetime.datetime.combine(end_date, shift.end_time, tzinfo=tz)
    return start, end


@dataclass
class CorrectionComparison:
    """A claimed punch time (补卡, ATT-2) against the day's schedule and recorded punches: the
    scheduled boundary it is nearest to (``start`` or ``end``, None without a shift) and the
    signed minutes from it (positive: after), and the minutes to the nearest recorded punch."""

    boundary: str | None = None
    boundary_at: datetime.datetime | None = None
    minutes: int | None = None
    nearest_punch_minutes: int | None = None


def _signed_minutes(later: datetime.datetime, earlier: datetime.datetime) -> int:
    seconds = (later - earlier).total_seconds()
    return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60)


def correction_compare(
    *, requested: datetime.datetime, start: datetime.datetime | None, end: datetime.datetime | None, punches
) -> CorrectionComparison:
    """How a claimed punch time compares with the day (ATT-2): the approver sees whether the claim
    fits the shift (a forgotten clock-in near the start, a clock-out near the end) and whether a
    punch was in fact recorded close to it."""
    result = CorrectionComparison()
    if start is not None and end is not None:
        result.boundary, result.boundary_at = min(
            (("start", start), ("end", end)), key=lambda pair: abs((requested - pair[1]).total_seconds())
        )
        result.minutes = _signed_minutes(requested, result.boundary_at)
    if punches:
        nearest = min(punches, key=lambda at: abs((requested - at).total_seconds()))
        result.nearest_punch_minutes = _signed_minutes(requested, nearest)
    return result


def _minutes(delta: datetime.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def off_phone_trim(
    start: datetime.datetime, end: datetime.datetime, activities: list[dict]
) -> tuple[datetime.datetime, datetime.datetime, list[dict]]:
    """The part of a shift left on the phone once the off-phone ``activities`` (``{"start",
    "end", "kind", "label"}``) that cover its start or its end are taken out, and those that did
    (ATT-4). ``start >= end`` when they cover it all."""
    used: list[dict] = []
    ordered = sorted(activities, key=lambda a: a["start"])
    moved = True
    while moved and start < end:
        moved = False
        for activity in ordered:
            if activity["start"] <= start < activity["end"]:
                start, moved = activity["end"], True
                used.append(activity)
            elif activity["start"] < end <= activity["end"]:
                end, moved = activity["start"], True
                used.append(activity)
    return start, end, used


def _off_phone_item(activities: list[dict]) -> dict:
    first = min(activities, key=lambda a: a["start"])
    last = max(activities, key=lambda a: a["end"])
    return {
        "rule": "off_phone",
        "article": "ATT-4",
        "kind": first.get("kind", ""),
        "label": first.get("label", ""),
        "from": first["start"].strftime("%H:%M"),
        "to": last["end"].strftime("%H:%M"),
    }


def evaluate_day(
    *,
    kind: str,
    shift,
    work_date: datetime.date,
    punches: list[datetime.datetime],
    policy,
    tz,
    leave: dict | None = None,
    off_phone: list[dict] | None = None,
) -> DayResult:
    """One employee's day against the roster (ATT-1, ATT-4, ATT-5) and approved leave (ATT-3).

    ``leave``: the approved leave covering the day, ``{"part": "full" | "morning" | "afternoon",
    "type": code, "request": id}``. A whole day of leave is "on leave"; a half day halves the shift
    at its midpoint and the other half is evaluated as usual. ``off_phone``: the off-phone
    activities of the day (:func:`off_phone_trim`, in the site's time zone)."""
    if kind != "work" or shift is None:
        result = DayResult(status="rest")
        if punches:
            result.explanation.append({"rule": "punches_on_rest_day", "article": "ATT-1", "count": len(punches)})
        return result
    start, end = shift_window(work_date, shift, tz)
    scheduled = shift.paid_minutes
    leave_item = None
    if leave:
        leave_item = {
            "rule": "on_leave" if leave["part"] == "full" else "half_day_leave",
            "article": "ATT-3",
            "part": leave["part"],
            "type": leave.get("type", ""),
            "type_name": leave.get("type_name", ""),
            "type_name_en": leave.get("type_name_en", ""),
            "request": leave.get("request"),
        }
        if leave["part"] == "full":
            return DayResult(status="on_leave", explanation=[leave_item])
        middle = start + (end - start) / 2
        if leave["part"] == "morning":
            start = middle
        else:
            end = middle
        scheduled = scheduled // 2
    off_item = None
    if off_phone:
        start, end, used = off_phone_trim(start, end, off_phone)
        if used:
            off_item = _off_phone_item(used)
            if start >= end:
                # Off the phone for the whole shift on the company's business: a normal day.
                return DayResult(
                    status="normal",
                    scheduled_minutes=scheduled,
                    worked_minutes=scheduled,
                    explanation=[*([leave_item] if leave_item else []), off_item],
                )
    in_window = sorted(p for p in punches if start - WINDOW_BEFORE <= p <= end + WINDOW_AFTER)
    if not in_window:
        if leave_item:
            # LV-5: the half not on leave, without a punch, is half a day of absenteeism.
            return DayResult(
                status="half_day_absent",
                scheduled_minutes=scheduled,
                explanation=[
                    leave_item,
                    {"rule": "absent_half", "article": "ATT-5", "start": start.isoformat(), "end": end.isoformat()},
                ],
            )
        return DayResult(
            status="absent",
            scheduled_minutes=scheduled,
            explanation=[{"rule": "absent", "article": "ATT-5", "start": start.isoformat(), "end": end.isoformat()}],
        )
    if len(in_window) == 1:
        return DayResult(
            status="missing_punch",
            scheduled_minutes=scheduled,
            first_in=in_window[0],
            explanation=[
                *([leave_item] if leave_item else []),
                {"rule": "missing_punch", "article": "ATT-2", "punch": in_window[0].isoformat()},
            ],
        )
    first_in, last_out = in_window[0], in_window[-1]
    late = _minutes(first_in - start)
    early = _minutes(end - last_out)
    overlap = _minutes(min(end, last_out) - max(start, first_in))
    break_minutes = shift.break_minutes // 2 if leave_item else shift.break_minutes
    worked = max(0, overlap - break_minutes) if overlap > break_minutes else overlap
    result = DayResult(
        status="normal",
        late_minutes=late,
        early_minutes=early,
        scheduled_minutes=scheduled,
        worked_minutes=min(worked, scheduled),
        first_in=first_in,
        last_out=last_out,
    )
    if leave_item:
        result.explanation.append(leave_item)
    if off_item:
        result.explanation.append(off_item)
    grace = policy.late_grace_minutes
    limit = policy.late_minor_max_minutes
    occurrences = []
    for rule, minutes in (("late", late), ("early_leave", early)):
        if minutes > grace:
            severity = "minor" if minutes <= limit else "major"
            occurrences.append(rule)
            result.explanation.append(
                {"rule": f"{rule}_{severity}", "article": "ATT-4", "minutes": minutes, "limit": limit, "grace": grace}
            )
    if not occurrences:
        result.explanation.append({"rule": "on_time", "article": "ATT-1"})
        return result
    if any(item["rule"].endswith("_major") for item in result.explanation):
        result.status = "half_day_absent"
    elif len(occurrences) == 2:
        result.status = "late_and_early"
    else:
        result.status = occurrences[0]
    return result


@dataclass
class MonthLine:
    work_date: datetime.date
    rule: str
    article: str
    fine: Decimal = Decimal("0.00")
    absence_days: Decimal = Decimal("0")
    detail: dict = field(default_factory=dict)


@dataclass
class MonthResult:
    lines: list[MonthLine] = field(default_factory=list)
    occurrences: int = 0
    fines: Decimal = Decimal("0.00")
    absence_days: Decimal = Decimal("0")
    deduction: Decimal = Decimal("0.00")
    daily_pay: Decimal = Decimal("0.00")
    missing_punches: int = 0
    leave_days: Decimal = Decimal("0")
    # ATT-4 with ``late_count_replaces_fines``: the fines the days of absenteeism replaced.
    replaced_fines: Decimal = Decimal("0.00")
    scheduled_minutes: int = 0
    worked_minutes: int = 0

    @property
    def adherence(self) -> Decimal | None:
        """Share of scheduled time actually worked (schedule adherence), in percent."""
        if not self.scheduled_minutes:
            return None
        return (Decimal(self.worked_minutes) * 100 / Decimal(self.scheduled_minutes)).quantize(Decimal("0.1"))


def _count_absence_day(work_date: datetime.date, group: list[MonthLine], count: int, policy) -> MonthLine:
    """The day of absenteeism that the occurrences of ``group`` make up (ATT-4).

    With ``late_count_replaces_fines`` (the policy in force on the day the N-th occurrence
    happens) the day replaces the fines of exactly these occurrences: each loses its fine and
    says so; occurrences that do not complete a group (the 1st and 2nd, the 4th, …) keep theirs.
    Off, the day comes in addition to the fines."""
    detail = {"occurrence": count, "every": policy.late_count_for_absence_day, "first": group[0].detail["occurrence"]}
    if policy.late_count_replaces_fines:
        replaced = Decimal("0.00")
        for line in group:
            if line.fine:
                replaced += line.fine
                line.detail = {**line.detail, "replaced_fine": str(line.fine), "replaced_by": count}
                line.fine = Decimal("0.00")
        detail.update({"replaces": True, "replaced_fines": str(replaced)})
    return MonthLine(work_date, "count_absence_day", "ATT-4", absence_days=Decimal("1"), detail=detail)


def evaluate_month(*, days, policy_for, month_policy, monthly_base_pay: Decimal) -> MonthResult:
    """Fines and absenteeism of one employee's month (ATT-4, ATT-5).

    ``days``: day records in date order (``work_date``, ``status``, ``explanation``, minutes);
    ``policy_for(date)``: the attendance policy in force on a date; ``month_policy``: the one in
    force on the month's last day, for the pay deduction.
    """
    result = MonthResult()
    count = 0
    # ATT-4: the occurrences since the last day of absenteeism they made up (their month lines).
    group: list[MonthLine] = []
    for day in days:
        result.scheduled_minutes += day.scheduled_minutes
        result.worked_minutes += day.worked_minutes
        policy = policy_for(day.work_date)
        if day.status == "on_leave":
            result.leave_days += 1  # ATT-3: approved leave, neither fine nor absenteeism
            continue
        if any(item.get("rule") == "half_day_leave" for item in day.explanation):
            result.leave_days += HALF
        if day.status == "absent":
            result.lines.append(MonthLine(day.work_date, "absent", "ATT-5", absence_days=Decimal("1")))
            continue
        if day.status == "missing_punch":
            result.missing_punches += 1
            result.lines.append(MonthLine(day.work_date, "missing_punch", "ATT-2"))
            continue
        for item in day.explanation:
            rule = item.get("rule", "")
            if rule == "absent_half":
                result.lines.append(MonthLine(day.work_date, "absent_half", "ATT-5", absence_days=HALF))
                continue
            if not rule.startswith(("late_", "early_leave_")):
                continue
            count += 1
            detail = {"minutes": item["minutes"], "limit": item["limit"], "occurrence": count}
            if rule.endswith("_minor"):
                line = MonthLine(day.work_date, rule, "ATT-4", fine=policy.late_fine_amount, detail=detail)
            else:
                line = MonthLine(day.work_date, rule, "ATT-4", absence_days=HALF, detail=detail)
            result.lines.append(line)
            group.append(line)
            if count % policy.late_count_for_absence_day == 0:
                result.lines.append(_count_absence_day(day.work_date, group, count, policy))
                group = []
    result.occurrences = count
    result.replaced_fines = sum(
        (Decimal(line.detail.get("replaced_fine", "0")) for line in result.lines), Decimal("0.00")
    ).quantize(CENT)
    result.fines = sum((line.fine for line in result.lines), Decimal("0.00")).quantize(CENT)
    result.absence_days = days_figure(sum((line.absence_days for line in result.lines), Decimal("0")))
    result.leave_days = days_figure(result.leave_days)
    result.daily_pay = (monthly_base_pay / month_policy.monthly_pay_days).quantize(CENT, ROUND_HALF_UP)
    result.deduction = (
        result.absence_days * month_policy.absence_day_pay_multiple * monthly_base_pay / month_policy.monthly_pay_days
    ).quantize(CENT, ROUND_HALF_UP)
    return result


def explain(item: dict) -> str:
    """One explanation item in the reader's language."""
    rule = item.get("rule")
    texts = {
        "absent": _("Scheduled, no punch and no approved leave: a day of absenteeism (ATT-5, LV-5)."),
        "absent_half": _("No punch for the half day not on leave: half a day of absenteeism (ATT-5, LV-5)."),
        "on_leave": _("On approved leave: %(leave_name)s (ATT-3)."),
        "half_day_leave": _("Approved leave for the %(part_label)s: %(leave_name)s (ATT-3)."),
        "missing_punch": _("Only one punch: file a correction request (补卡) with your supervisor (ATT-2)."),
        "on_time": _("On time (ATT-1)."),
        "off_phone": _(
            "Off the phone from %(from)s to %(to)s (%(label)s): lateness and early leave are counted "
            "against the time left on the phone (ATT-4)."
        ),
        "punches_on_rest_day": _("Punches on a rest day are recorded but not evaluated (ATT-1)."),
        "late_minor": _("Late by %(minutes)d min (at most %(limit)d): a fine (ATT-4)."),
        "late_major": _("Late by %(minutes)d min (more than %(limit)d): half a day of absenteeism (ATT-4)."),
        "early_leave_minor": _("Left %(minutes)d min early (at most %(limit)d): a fine (ATT-4)."),
        "early_leave_major": _("Left %(minutes)d min early (more than %(limit)d): half a day of absenteeism (ATT-4)."),
        "count_absence_day": _(
            "Occurrence no. %(occurrence)d of the month (every %(every)d-th): one more day of absenteeism (ATT-4)."
        ),
    }
    if item.get("replaced_by"):
        # ATT-4, the switch on: this occurrence's fine is replaced by the day of absenteeism.
        texts.update(
            {
                "late_minor": _(
                    "Late by %(minutes)d min (at most %(limit)d): fine of ¥%(replaced_fine)s replaced by the day "
                    "of absenteeism of occurrence no. %(replaced_by)d (ATT-4)."
                ),
                "early_leave_minor": _(
                    "Left %(minutes)d min early (at most %(limit)d): fine of ¥%(replaced_fine)s replaced by the "
                    "day of absenteeism of occurrence no. %(replaced_by)d (ATT-4)."
                ),
            }
        )
    if rule == "count_absence_day" and item.get("replaces"):
        texts["count_absence_day"] = _(
            "Occurrence no. %(occurrence)d of the month (every %(every)d-th): one more day of absenteeism, "
            "replacing the fines of occurrences no. %(first)d to %(occurrence)d (¥%(replaced_fines)s); "
            "other occurrences keep their fines (ATT-4)."
        )
    text = texts.get(rule)
    if text is None:
        return rule or ""
    if rule in ("on_leave", "half_day_leave"):
        zh = (get_language() or "").startswith("zh")
        item = {
            **item,
            "leave_name": (item.get("type_name") if zh else item.get("type_name_en")) or item.get("type", ""),
            "part_label": _("morning") if item.get("part") == "morning" else _("afternoon"),
        }
    try:
        return text % item
    except (KeyError, TypeError):
        return text
