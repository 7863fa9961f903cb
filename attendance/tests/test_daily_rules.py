"""ATT-4 / ATT-5 at their boundaries (pure rules, no database)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from attendance.models import AttendancePolicy, ShiftType
from attendance.rules import evaluate_day, evaluate_month, explain

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)  # a Monday
DAY_SHIFT = ShiftType(code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18), break_minutes=60)
NIGHT_SHIFT = ShiftType(
    code="N", name="夜班", start_time=datetime.time(22), end_time=datetime.time(7), break_minutes=60
)


def at(day, hh, mm=0, ss=0):
    return datetime.datetime.combine(day, datetime.time(hh, mm, ss), tzinfo=TZ)


def policy(**kwargs):
    return AttendancePolicy(effective_from=datetime.date(2000, 1, 1), **kwargs)


def day(punches, shift=DAY_SHIFT, kind="work", pol=None, work_date=DAY):
    return evaluate_day(kind=kind, shift=shift, work_date=work_date, punches=punches, policy=pol or policy(), tz=TZ)


@pytest.mark.parametrize(
    "first_in,status,late,rule",
    [
        (at(DAY, 9, 0), "normal", 0, "on_time"),
        (at(DAY, 9, 0, 59), "normal", 0, "on_time"),  # whole minutes, truncated
        (at(DAY, 9, 1), "late", 1, "late_minor"),
        (at(DAY, 9, 30), "late", 30, "late_minor"),  # exactly 30: still a fine (ATT-4)
        (at(DAY, 9, 30, 59), "late", 30, "late_minor"),
        (at(DAY, 9, 31), "half_day_absent", 31, "late_major"),  # 31: half a day
    ],
)
def test_lateness_boundaries(first_in, status, late, rule):
    result = day([first_in, at(DAY, 18, 0)])
    assert (result.status, result.late_minutes) == (status, late)
    assert result.explanation[0]["rule"] == rule
    assert result.explanation[0]["article"] in ("ATT-1", "ATT-4")


@pytest.mark.parametrize(
    "last_out,status,early",
    [
        (at(DAY, 18, 0), "normal", 0),
        (at(DAY, 17, 30), "early_leave", 30),
        (at(DAY, 17, 29), "half_day_absent", 31),
    ],
)
def test_early_leave_boundaries(last_out, status, early):
    result = day([at(DAY, 8, 55), last_out])
    assert (result.status, result.early_minutes) == (status, early)


@pytest.mark.parametrize("minutes,counted", [(5, False), (6, True)])
def test_grace_minutes(minutes, counted):
    result = day([at(DAY, 9, minutes), at(DAY, 18)], pol=policy(late_grace_minutes=5))
    assert (result.status == "late") == counted
    assert result.late_minutes == minutes  # the fact is kept; only the rule ignores it


def test_late_and_early_same_day_are_two_occurrences():
    result = day([at(DAY, 9, 10), at(DAY, 17, 50)])
    assert result.status == "late_and_early"
    assert [e["rule"] for e in result.explanation] == ["late_minor", "early_leave_minor"]


def test_no_punch_is_absenteeism_and_one_punch_is_missing():
    assert day([]).status == "absent"
    assert day([]).explanation[0]["article"] == "ATT-5"
    assert day([at(DAY, 8, 59)]).status == "missing_punch"


def test_rest_day():
    assert day([], shift=None, kind="rest").status == "rest"


def test_overnight_shift_belongs_to_the_day_it_starts():
    # given a 22:00-07:00 shift starting on DAY; punches at 22:05 and 07:00 next morning
    nxt = DAY + datetime.timedelta(days=1)
    result = day([at(DAY, 22, 5), at(nxt, 7, 0)], shift=NIGHT_SHIFT)
    assert (result.status, result.late_minutes, result.early_minutes) == ("late", 5, 0)
    assert result.scheduled_minutes == 8 * 60  # 9 h minus the 60-minute break
    assert result.worked_minutes == 8 * 60 - 5


def test_midnight_exactly():
    midnight_shift = ShiftType(code="M", name="零点班", start_time=datetime.time(0), end_time=datetime.time(8))
    result = day([at(DAY, 0, 0), at(DAY, 8, 0)], shift=midnight_shift)
    assert result.status == "normal" and result.worked_minutes == 480


# --- Month --------------------------------------------------------------------------------


def _days(*specs):
    """(day-of-month, status, [(rule, minutes)]) -> day records."""
    out = []
    for dom, status, occ in specs:
        explanation = [{"rule": r, "minutes": m, "limit": 30, "article": "ATT-4"} for r, m in occ]
        out.append(
            SimpleNamespace(
                work_date=datetime.date(2026, 3, dom),
                status=status,
                explanation=explanation,
                scheduled_minutes=480,
                worked_minutes=470,
            )
        )
    return out


def month(days, pol=None, base=Decimal("4350.00"), policy_for=None):
    pol = pol or policy()
    return evaluate_month(days=days, policy_for=policy_for or (lambda d: pol), month_policy=pol, monthly_base_pay=base)


def test_two_minor_latenesses_are_two_fines():
    result = month(_days((2, "late", [("late_minor", 5)]), (3, "late", [("late_minor", 10)])))
    assert result.fines == Decimal("40.00") and result.absence_days == 0 and result.deduction == 0


def test_third_occurrence_adds_a_day_in_addition_to_fines():
    days = _days(*[(d, "late", [("late_minor", 5)]) for d in (2, 3, 4)])
    result = month(days)
    assert result.fines == Decimal("60.00")
    assert result.absence_days == Decimal("1")
    # deduction = 1 day x 1 x 4350 / 21.75 = 200.00 (ATT-5)
    assert result.deduction == Decimal("200.00")
    assert result.lines[-1].rule == "count_absence_day" and result.lines[-1].detail["occurrence"] == 3


def test_policy_switch_replaces_fines():
    days = _days(*[(d, "late", [("late_minor", 5)]) for d in (2, 3, 4)])
    result = month(days, pol=policy(late_count_replaces_fines=True))
    assert result.fines == 0 and result.absence_days == 1


def test_sixth_occurrence_adds_a_second_day_and_major_counts_too():
    days = _days(
        (2, "late", [("late_minor", 5)]),
        (3, "half_day_absent", [("late_major", 45)]),
        (4, "late_and_early", [("late_minor", 3), ("early_leave_minor", 4)]),
        (5, "late", [("late_minor", 5)]),
        (6, "early_leave", [("early_leave_minor", 8)]),
    )
    result = month(days)
    assert result.occurrences == 6
    # half a day (major) + one day at the 3rd + one day at the 6th
    assert result.absence_days == Decimal("2.5")
    assert result.fines == Decimal("100.00")  # five minor occurrences x 20


def test_absent_days_and_missing_punches():
    result = month(_days((2, "absent", []), (3, "missing_punch", [])), base=Decimal("5000.00"))
    assert result.absence_days == 1 and result.missing_punches == 1
    assert result.deduction == Decimal("229.89")  # 5000 / 21.75, rounded half up
    assert result.adherence == Decimal("97.9")


def test_each_occurrence_uses_the_policy_of_its_day():
    # given a fine of 20 until 15 March and 50 from then on
    march, april_rule = policy(), policy(late_fine_amount=Decimal("50.00"))
    days = _days((2, "late", [("late_minor", 5)]), (20, "late", [("late_minor", 5)]))
    result = month(days, policy_for=lambda d: april_rule if d.day >= 15 else march)
    assert result.fines == Decimal("70.00")


def test_explanations_render():
    assert "31" in explain({"rule": "late_major", "minutes": 31, "limit": 30})
    assert "ATT-4" in explain({"rule": "count_absence_day", "occurrence": 3, "every": 3})


def test_month_counts_leave_days_and_half_day_absence():
    """ATT-3 / LV-5: a whole day on leave counts 1 leave day and nothing else; a half day on leave
    with no punch in the other half counts 0.5 leave and half a day of absenteeism."""

    policy = AttendancePolicy(effective_from=datetime.date(2000, 1, 1))
    leave = {"rule": "on_leave", "article": "ATT-3", "part": "full"}
    half = {"rule": "half_day_leave", "article": "ATT-3", "part": "morning"}
    days = [
        SimpleNamespace(
            work_date=datetime.date(2026, 3, 2),
            status="on_leave",
            explanation=[leave],
            scheduled_minutes=0,
            worked_minutes=0,
        ),
        SimpleNamespace(
            work_date=datetime.date(2026, 3, 3),
            status="half_day_absent",
            explanation=[half, {"rule": "absent_half", "article": "ATT-5"}],
            scheduled_minutes=240,
            worked_minutes=0,
        ),
    ]
    result = evaluate_month(
        days=days, policy_for=lambda d: policy, month_policy=policy, monthly_base_pay=Decimal("4350")
    )
    assert result.leave_days == Decimal("1.5")
    assert result.absence_days == Decimal("0.5") and result.fines == 0
    assert [line.rule for line in result.lines] == ["absent_half"]


@pytest.mark.parametrize(
    ("part", "punches", "status", "late"),
    [
        ("full", [], "on_leave", 0),
        ("full", [(9, 0), (18, 0)], "on_leave", 0),
        # morning on leave: the working half starts at the midpoint 13:30
        ("morning", [(13, 30), (18, 0)], "normal", 0),
        ("morning", [(13, 45), (18, 0)], "late", 15),
        ("morning", [], "half_day_absent", 0),
        # afternoon on leave: the working half ends at 13:30
        ("afternoon", [(9, 0), (13, 30)], "normal", 0),
        ("afternoon", [(9, 0), (13, 10)], "early_leave", 0),
        ("afternoon", [(9, 0), (12, 0)], "half_day_absent", 0),  # 90 min early: more than 30 (ATT-4)
    ],
)
def test_day_with_approved_leave(part, punches, status, late):
    """ATT-3: a whole day of leave is on leave; a half day halves the shift at its midpoint (LV-5)."""

    result = evaluate_day(
        kind="work",
        shift=DAY_SHIFT,
        work_date=DAY,
        punches=[at(DAY, h, m) for h, m in punches],
        policy=policy(),
        tz=TZ,
        leave={"part": part, "type": "annual", "request": 1},
    )
    assert (result.status, result.late_minutes) == (status, late)
    assert result.explanation[0]["article"] == "ATT-3"
