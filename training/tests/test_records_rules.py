"""The mandatory-course rules (TRN-1, TRN-3, SEC-3) and the training indicator (TRN-3) at their
boundaries: the deadline day itself, a leap day, a hire on the 31st, the reminder stages. The
appraisal's training indicator is tested in performance/tests/test_training_indicator.py."""

import datetime

import pytest

from training.rules import (
    Obligation,
    compliance_percent,
    compliance_state,
    in_audience,
    mandatory_deadline,
    passed_in_window,
    reminder_stage,
    yearly_date,
)

D = datetime.date


@pytest.mark.parametrize(
    ("hire", "days", "expected"),
    [
        (D(2026, 1, 31), 30, D(2026, 3, 2)),  # hired on the 31st: 30 days later, across February
        (D(2024, 1, 31), 30, D(2024, 3, 1)),  # the same in a leap year
        (D(2026, 12, 15), 30, D(2027, 1, 14)),  # across the new year
    ],
)
def test_after_hire_deadline_counts_days_from_the_hire_date_trn1(hire, days, expected):
    ob = mandatory_deadline(kind="after_hire", hire_date=hire, today=hire, new_hire_days=days)
    assert ob.deadline == expected and ob.window_start == hire


def test_after_hire_uses_the_course_days_before_the_policy_default_trn1():
    ob = mandatory_deadline(
        kind="after_hire", hire_date=D(2026, 3, 1), today=D(2026, 3, 1), new_hire_days=30, days_after_hire=7
    )
    assert ob.deadline == D(2026, 3, 8)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, D(2024, 2, 29)), (2025, D(2025, 2, 28)), (2028, D(2028, 2, 29))],
)
def test_a_yearly_29_february_is_28_february_in_a_common_year_sec3(year, expected):
    assert yearly_date(year, 2, 29) == expected
    ob = mandatory_deadline(
        kind="yearly", hire_date=D(2020, 1, 1), today=D(year, 1, 5), new_hire_days=30, yearly_month=2, yearly_day=29
    )
    assert ob.deadline == expected and ob.window_start == D(year, 1, 1) and ob.window_end == D(year, 12, 31)


def test_someone_hired_after_the_yearly_deadline_gets_the_new_hire_days_sec3():
    ob = mandatory_deadline(
        kind="yearly", hire_date=D(2026, 7, 31), today=D(2026, 8, 1), new_hire_days=30, yearly_month=6, yearly_day=30
    )
    assert ob.deadline == D(2026, 8, 30)
    late = mandatory_deadline(
        kind="yearly", hire_date=D(2026, 12, 20), today=D(2026, 12, 21), new_hire_days=30, yearly_month=6, yearly_day=30
    )
    assert late.deadline == D(2026, 12, 31)  # never past the year whose pass satisfies it


def test_yearly_pass_counts_only_in_its_year_sec3():
    ob = Obligation(D(2026, 6, 30), D(2026, 1, 1), D(2026, 12, 31))
    assert passed_in_window(ob, [D(2025, 12, 31)]) is None
    assert passed_in_window(ob, [D(2025, 12, 31), D(2026, 1, 1)]) == D(2026, 1, 1)


@pytest.mark.parametrize(
    ("today", "passed", "state"),
    [
        (D(2026, 6, 29), None, "due"),
        (D(2026, 6, 30), None, "due"),  # the deadline day itself is still in time
        (D(2026, 7, 1), None, "overdue"),
        (D(2026, 7, 1), D(2026, 7, 1), "done"),  # late, but done
    ],
)
def test_compliance_state_at_the_deadline_trn3(today, passed, state):
    assert compliance_state(deadline=D(2026, 6, 30), passed_on=passed, today=today) == state


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (D(2026, 6, 22), None),
        (D(2026, 6, 23), "before"),  # 7 days before
        (D(2026, 6, 29), "before"),
        (D(2026, 6, 30), "due"),
        (D(2026, 7, 1), "overdue"),
    ],
)
def test_reminder_stages_trn3(today, stage):
    assert reminder_stage(deadline=D(2026, 6, 30), today=today, days_before=7) == stage


def test_audience_new_hires_from_the_rule_date_trn1():
    common = {"employee_id": 1, "position_id": 2, "team_id": 3, "positions": set(), "teams": set(), "people": set()}
    assert in_audience(kind="new_hires", hire_date=D(2026, 3, 1), applies_from=D(2026, 3, 1), **common)
    assert not in_audience(kind="new_hires", hire_date=D(2026, 2, 28), applies_from=D(2026, 3, 1), **common)
    assert in_audience(kind="everyone", hire_date=D(2000, 1, 1), applies_from=D(2026, 3, 1), **common)
    assert in_audience(kind="teams", hire_date=D(2000, 1, 1), applies_from=D(2026, 3, 1), **{**common, "teams": {3}})
    assert not in_audience(kind="people", hire_date=D(2000, 1, 1), applies_from=D(2026, 3, 1), **common)


def test_compliance_percent_rounds_down_and_is_empty_without_obligations():
    assert compliance_percent(done=2, due=0, overdue=1) == 66
    assert compliance_percent(done=0, due=0, overdue=0) is None
