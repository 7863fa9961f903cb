"""ATT-4: "the day of absenteeism replaces the fines" replaces only the fines of the occurrences
that make up each day of absenteeism; the others keep their fines (issue 13).

Pure table tests of ``evaluate_month`` (months of 1..7 lates, switch on and off, N = 3 and
N = 2, a major occurrence inside a group, the switch changing mid-month), then the month page and
the system reader the bonus sheet uses (``attendance_month_results``) on real daily records."""

import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from attendance import services
from attendance.models import AttendancePolicy, Punch, PunchSource, RosterEntry, ShiftType
from attendance.rules import evaluate_month, explain
from attendance.selectors import attendance_month_results


@pytest.fixture(autouse=True)
def _english():
    """These tests read the rules' messages in English (the site's default language is zh-hans)."""
    with translation.override("en"):
        yield


TZ = ZoneInfo("Asia/Shanghai")
BASE = Decimal("4350.00")  # daily pay 200.00 (4350 / 21.75)


def _policy(**kwargs) -> AttendancePolicy:
    return AttendancePolicy(effective_from=datetime.date(2000, 1, 1), **kwargs)


def _lates(n: int, *, major_at: int | None = None) -> list[SimpleNamespace]:
    """``n`` days of March 2026, one lateness each (minor, 5 min; the ``major_at``-th 45 min)."""
    days = []
    for k in range(1, n + 1):
        rule, minutes = ("late_major", 45) if k == major_at else ("late_minor", 5)
        days.append(
            SimpleNamespace(
                work_date=datetime.date(2026, 3, k + 1),
                status="half_day_absent" if rule == "late_major" else "late",
                explanation=[{"rule": rule, "minutes": minutes, "limit": 30, "article": "ATT-4"}],
                scheduled_minutes=480,
                worked_minutes=475,
            )
        )
    return days


def _month(days, policy=None, policy_for=None):
    policy = policy or _policy()
    return evaluate_month(
        days=days, policy_for=policy_for or (lambda d: policy), month_policy=policy, monthly_base_pay=BASE
    )


# lates in the month -> (fines, absenteeism days) with N = 3 and ¥20 a minor lateness.
SWITCH_OFF = {1: (20, 0), 2: (40, 0), 3: (60, 1), 4: (80, 1), 5: (100, 1), 6: (120, 2), 7: (140, 2)}
SWITCH_ON = {1: (20, 0), 2: (40, 0), 3: (0, 1), 4: (20, 1), 5: (40, 1), 6: (0, 2), 7: (20, 2)}


@pytest.mark.parametrize("replaces", [False, True], ids=["switch_off", "switch_on"])
@pytest.mark.parametrize("lates", range(1, 8))
def test_att4_months_of_one_to_seven_lates(lates, replaces):
    """ATT-4: off, every minor lateness is fined and every 3rd adds a day; on, the day replaces
    the fines of the three occurrences that make it up, and only theirs."""
    result = _month(_lates(lates), _policy(late_count_replaces_fines=replaces))
    fines, days = (SWITCH_ON if replaces else SWITCH_OFF)[lates]
    assert result.occurrences == lates
    assert result.fines == Decimal(fines)
    assert result.absence_days == Decimal(days)
    assert result.deduction == Decimal(days) * Decimal("200.00")
    assert result.replaced_fines == (Decimal(20 * 3 * (lates // 3)) if replaces else Decimal("0"))
    fined = [line.detail["occurrence"] for line in result.lines if line.fine]
    if replaces:
        # the occurrences left over after the last complete group keep their fine (ATT-4)
        assert fined == list(range(3 * (lates // 3) + 1, lates + 1))
    else:
        assert fined == list(range(1, lates + 1))


@pytest.mark.parametrize(
    ("lates", "fines", "days"), [(1, 20, 0), (2, 0, 1), (3, 20, 1), (4, 0, 2), (5, 20, 2), (7, 20, 3)]
)
def test_att4_switch_on_with_every_second_occurrence(lates, fines, days):
    """ATT-4 with N = 2: each pair's fines are replaced by its day, an odd one out is fined."""
    result = _month(_lates(lates), _policy(late_count_for_absence_day=2, late_count_replaces_fines=True))
    assert (result.fines, result.absence_days) == (Decimal(fines), Decimal(days))


def test_att4_major_occurrence_in_a_group_keeps_its_half_day():
    """ATT-4: a major lateness has no fine to replace; it keeps its half day, and the group's
    minor fines are still replaced."""
    result = _month(_lates(4, major_at=2), _policy(late_count_replaces_fines=True))
    # 1 (minor, replaced), 2 (major, half a day), 3 (minor, replaced) -> one day; 4 minor, fined
    assert result.fines == Decimal("20.00")
    assert result.absence_days == Decimal("1.5")
    assert result.replaced_fines == Decimal("40.00")


def test_att4_the_switch_in_force_when_the_group_completes_decides():
    """ATT-4, policy versions: the switch is read on the day of the N-th occurrence (the day the
    day of absenteeism arises); each fine is the amount of its own day."""
    off, on = _policy(), _policy(late_count_replaces_fines=True)
    # switched on from 4 March: the first group (2nd..4th of March) completes under "on"
    result = _month(_lates(4), policy_for=lambda d: on if d.day >= 4 else off)
    assert result.fines == Decimal("20.00") and result.replaced_fines == Decimal("60.00")
    # switched off from 4 March: the group completes under "off"; every fine stays
    result = _month(_lates(4), policy_for=lambda d: off if d.day >= 4 else on)
    assert result.fines == Decimal("80.00") and result.replaced_fines == 0


def test_att4_explanations_say_which_day_replaced_which_fine():
    """ATT-4: each replaced lateness says it was replaced and by which occurrence; the day of
    absenteeism says which fines it replaced and that the others keep theirs."""
    result = _month(_lates(4), _policy(late_count_replaces_fines=True))
    texts = [explain({"rule": line.rule, **line.detail}) for line in result.lines]
    assert "replaced by the day of absenteeism of occurrence no. 3 (ATT-4)" in texts[0]
    assert "¥20.00" in texts[0]
    assert "replacing the fines of occurrences no. 1 to 3 (¥60.00)" in texts[3]
    assert texts[4] == "Late by 5 min (at most 30): a fine (ATT-4)."  # the 4th keeps its fine


# --- On real daily records: the month page and the bonus sheet's reader ----------------------------


@pytest.fixture
def four_lates(org):
    """The agent is 12 minutes late on four working days of March 2026 (computed by the nightly
    service); the switch is on."""
    AttendancePolicy.objects.create(effective_from=datetime.date(2026, 1, 1), late_count_replaces_fines=True)
    shift = ShiftType.objects.create(
        code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18), break_minutes=60
    )
    org.agent.monthly_base_pay = BASE
    org.agent.save(update_fields=["monthly_base_pay"])
    for n, dom in enumerate((2, 3, 4, 5)):
        day = datetime.date(2026, 3, dom)
        RosterEntry.objects.create(employee=org.agent, work_date=day, kind="work", shift=shift)
        for hh, mm in ((9, 12), (18, 0)):
            Punch.objects.create(
                employee=org.agent,
                punched_at=datetime.datetime.combine(day, datetime.time(hh, mm), tzinfo=TZ),
                source=PunchSource.WEB,
                idempotency_key=f"att4:{n}:{hh}",
            )
        services.daily_attendance_compute_all(work_date=day)
    return org


def test_att4_month_page_explains_the_replaced_fines(client, four_lates):
    """ATT-4: the employee's month shows ¥20 (the 4th lateness), the ¥60 replaced and why."""
    four_lates.agent.user.preferred_language = "en"
    four_lates.agent.user.save(update_fields=["preferred_language"])
    client.force_login(four_lates.agent.user)
    html = client.get(reverse("attendance:my_month"), {"month": "2026-03"}).content.decode()
    assert 'id="month-fines">¥20.00<' in html
    assert "¥60.00 replaced by days of absenteeism" in html
    assert "replacing the fines of occurrences no. 1 to 3 (¥60.00)" in html
    assert html.count("replaced by the day of absenteeism of occurrence no. 3") == 3


def test_att4_bonus_sheet_reader_deducts_only_the_remaining_fine(four_lates):
    """ATT-4 / PRF-4: the bonus sheet reads attendance_month_results: ¥20 of fines (the 4th
    lateness) and one day of absenteeism (¥200.00)."""
    result = attendance_month_results(employees=[four_lates.agent], month=datetime.date(2026, 3, 1))[
        four_lates.agent.pk
    ]
    assert (result.fines, result.absence_days, result.deduction) == (
        Decimal("20.00"),
        Decimal("1"),
        Decimal("200.00"),
    )
