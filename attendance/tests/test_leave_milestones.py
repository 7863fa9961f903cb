"""LV-3: a milestone of cumulative work reached during the year (the first 12 months, the 10th or
the 20th year) keeps the entitlement judged on 1 January (or the hire day) and adds the difference
pro rata from the milestone day: remaining calendar days ÷ 365, rounded down (企业职工带薪年休假
实施办法 第五条, docs/leave.md). Granted by the balance job, once: a ledger entry with the reason
and the article, run twice = the same balance (issue 13)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from attendance import rules, services
from attendance.models import LeaveBalance, LeaveBalanceEntry, LeavePolicy
from attendance.tests.factories import leave_type
from callcenter.models import EmploymentStatus
from callcenter.tests.factories import EmployeeFactory
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent


@pytest.fixture(autouse=True)
def _english():
    """These tests read the rules' messages in English (the site's default language is zh-hans)."""
    with translation.override("en"):
        yield


D = datetime.date


def _policy(**kwargs) -> LeavePolicy:
    return LeavePolicy(effective_from=D(2000, 1, 1), **kwargs)


# (case, first employed, hired, year, as of) -> (entitlement judged on the reference day,
# milestone days or None, milestone day)
CASES = [
    # the first 12 months, mid-year: nothing on 1 January; 15 Jun..31 Dec = 200 days: 200/365 × 5
    ("first_12_months_mid_year", D(2025, 6, 15), D(2025, 6, 15), 2026, D(2026, 12, 31), 0, 2, D(2026, 6, 15)),
    # the first 12 months of a joiner of this year (worked elsewhere from 1 Sep 2025): 122/365 × 5
    ("first_12_months_of_a_joiner", D(2025, 9, 1), D(2026, 3, 1), 2026, D(2026, 12, 31), 0, 1, D(2026, 9, 1)),
    # the 10th year on 1 January: judged on 1 January already (10 days), nothing to add
    ("ten_years_on_1_january", D(2016, 1, 1), D(2020, 1, 1), 2026, D(2026, 12, 31), 10, None, None),
    # the 10th year on 31 December: 1 day left, 1/365 × 5 = 0.01 → 0 (a ledger entry of 0 days)
    ("ten_years_on_31_december", D(2016, 12, 31), D(2020, 1, 1), 2026, D(2026, 12, 31), 5, 0, D(2026, 12, 31)),
    # ... and not before that day
    ("ten_years_not_reached_yet", D(2016, 12, 31), D(2020, 1, 1), 2026, D(2026, 12, 30), 5, None, None),
    # 9 → 10 years mid-year: 1 Jul..31 Dec = 184 days: 184/365 × (10 − 5) = 2.52 → 2
    ("nine_to_ten_years", D(2016, 7, 1), D(2020, 1, 1), 2026, D(2026, 12, 31), 5, 2, D(2026, 7, 1)),
    # 19 → 20 years: 1 Apr..31 Dec = 275 days: 275/365 × (15 − 10) = 3.77 → 3
    ("nineteen_to_twenty_years", D(2006, 4, 1), D(2020, 1, 1), 2026, D(2026, 12, 31), 10, 3, D(2026, 4, 1)),
    # a 29 February start reaches its 10th year on 1 March of a common year: 306/365 × 5 = 4.19 → 4
    ("leap_day_start_in_a_common_year", D(2016, 2, 29), D(2020, 1, 1), 2026, D(2026, 12, 31), 5, 4, D(2026, 3, 1)),
    # ... and on 29 February of a leap year (20th year): 307/365 × 5 = 4.2 → 4
    ("leap_day_start_in_a_leap_year", D(2008, 2, 29), D(2020, 1, 1), 2028, D(2028, 12, 31), 10, 4, D(2028, 2, 29)),
    # a leap year divides by 365 too (第五条): 20 Oct..31 Dec 2028 = 73 days: 73/365 × 5 = 1 (÷366 would give 0)
    ("leap_year_divides_by_365", D(2018, 10, 20), D(2020, 1, 1), 2028, D(2028, 12, 31), 5, 1, D(2028, 10, 20)),
    # the first 12 months in a leap year: 1 Mar..31 Dec 2028 = 306 days → 4
    ("first_12_months_leap_year", D(2027, 3, 1), D(2027, 3, 1), 2028, D(2028, 12, 31), 0, 4, D(2028, 3, 1)),
    # a joiner with 9 years: pro rata from the hire day (305/365 × 5 = 4), then from the 10th year
    ("joiner_reaches_ten_years_after_hire", D(2016, 9, 1), D(2026, 3, 2), 2026, D(2026, 12, 31), 4, 1, D(2026, 9, 1)),
    # reached before the hire day: judged on the hire day already (10 days pro rata: 305/365 × 10)
    ("joiner_reached_it_before_hire", D(2016, 2, 1), D(2026, 3, 2), 2026, D(2026, 12, 31), 8, None, None),
    # not a milestone: the 5th year changes nothing
    ("fifth_year_is_no_milestone", D(2021, 5, 1), D(2021, 5, 1), 2026, D(2026, 12, 31), 5, None, None),
]


@pytest.mark.parametrize(
    ("first_employed", "hired", "year", "as_of", "judged", "added", "reached_on"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_lv3_milestone_boundaries(first_employed, hired, year, as_of, judged, added, reached_on):
    """LV-3 at the boundaries: the entitlement judged on the reference day stays; a milestone
    after it adds the difference pro rata, rounded down."""
    policy = _policy()
    days, _detail = rules.annual_entitlement(
        first_employed_on=first_employed, hire_date=hired, year=year, policy=policy
    )
    assert days == Decimal(judged)
    milestone = rules.annual_milestone(
        first_employed_on=first_employed, hire_date=hired, year=year, as_of=as_of, policy=policy
    )
    if added is None:
        assert milestone is None
        return
    got, detail = milestone
    assert got == Decimal(added)
    assert detail["article"] == "LV-3" and detail["rule"] == "milestone"
    assert detail["reached_on"] == reached_on.isoformat()
    assert detail["days_left"] == (D(year, 12, 31) - reached_on).days + 1
    assert detail["days_in_year"] == 365


def test_lv3_no_milestone_when_the_policy_band_does_not_grow():
    """LV-3: HR's policy may give 10 years no more than under 10: nothing to add."""
    policy = _policy(annual_days_under_10_years=10, annual_days_10_to_20_years=10)
    assert (
        rules.annual_milestone(
            first_employed_on=D(2016, 7, 1), hire_date=D(2020, 1, 1), year=2026, as_of=D(2026, 12, 31), policy=policy
        )
        is None
    )


def test_lv3_joiner_pro_rata_divides_by_365_in_a_leap_year():
    """LV-3 (第五条): a joiner of 2 January 2028 with 12 years: 365/365 × 10 = 10 days (÷366: 9)."""
    days, detail = rules.annual_entitlement(
        first_employed_on=D(2015, 1, 1), hire_date=D(2028, 1, 2), year=2028, policy=_policy()
    )
    assert days == Decimal("10") and detail["days_in_year"] == 365


def test_lv3_milestone_explanations():
    """LV-3: the balance explains the grant, then each milestone with its figures."""
    _days, granted = rules.annual_entitlement(
        first_employed_on=D(2016, 7, 1), hire_date=D(2020, 1, 1), year=2026, policy=_policy()
    )
    _added, milestone = rules.annual_milestone(
        first_employed_on=D(2016, 7, 1), hire_date=D(2020, 1, 1), year=2026, as_of=D(2026, 7, 1), policy=_policy()
    )
    text = rules.explain_grant({**granted, "milestones": [milestone]})
    assert text.startswith("9 years worked on 2026-01-01: 5 days a year (LV-3).")
    assert "10 years of cumulative work reached on 2026-07-01: 10 days a year instead of 5" in text
    assert "→ 2 more days, rounded down (LV-3)." in text
    _added, first = rules.annual_milestone(
        first_employed_on=D(2025, 6, 15), hire_date=D(2025, 6, 15), year=2026, as_of=D(2026, 7, 1), policy=_policy()
    )
    assert rules.explain_grant(first).startswith("First 12 months of cumulative work reached on 2026-06-15")


# --- The balance job (services.leave_balance_grant_annual) ----------------------------------------


@pytest.fixture
def people(org):
    """Four employees of team A1 whose milestones fall in 2026, next to the org (2020 starters,
    no milestone in 2026)."""
    leave_type("annual")
    return {
        "first_year": EmployeeFactory(team=org.a1, first_employed_on=D(2025, 6, 15), hire_date=D(2025, 6, 15)),
        "ten": EmployeeFactory(team=org.a1, first_employed_on=D(2016, 7, 1), hire_date=D(2020, 1, 1)),
        "twenty": EmployeeFactory(team=org.a1, first_employed_on=D(2006, 4, 1), hire_date=D(2020, 1, 1)),
        "ten_on_new_year": EmployeeFactory(team=org.a1, first_employed_on=D(2016, 1, 1), hire_date=D(2020, 1, 1)),
    }


def _entitled(employee) -> Decimal:
    return LeaveBalance.objects.get(employee=employee, year=2026).entitled_days


def test_lv3_job_raises_once_from_the_milestone_day(people):
    """LV-3: on 1 January the job grants the balances judged that day; a run before a milestone
    adds nothing; the first run on or after it adds the pro-rated difference, once (a ledger
    entry with the reason and the article, an audit event); running again changes nothing."""
    first = services.leave_balance_grant_annual(year=2026, today=D(2026, 1, 1))
    assert first["raised"] == 0
    assert [_entitled(people[k]) for k in ("first_year", "ten", "twenty", "ten_on_new_year")] == [
        Decimal("0"),
        Decimal("5"),
        Decimal("10"),
        Decimal("10"),
    ]
    assert services.leave_balance_grant_annual(year=2026, today=D(2026, 3, 31))["raised"] == 0
    assert services.leave_balance_grant_annual(year=2026, today=D(2026, 4, 1))["raised"] == 1  # the 20th year
    assert _entitled(people["twenty"]) == Decimal("13")
    assert services.leave_balance_grant_annual(year=2026, today=D(2026, 7, 1)) == {
        "year": 2026,
        "granted": 0,
        "raised": 2,  # the first 12 months (15 June) and the 10th year (1 July)
    }
    again = services.leave_balance_grant_annual(year=2026, today=D(2026, 7, 2))
    assert again["raised"] == 0
    assert [_entitled(people[k]) for k in ("first_year", "ten", "twenty", "ten_on_new_year")] == [
        Decimal("2"),
        Decimal("7"),
        Decimal("13"),
        Decimal("10"),
    ]
    entries = {e.balance.employee_id: e for e in LeaveBalanceEntry.objects.select_related("balance")}
    assert set(entries) == {people["first_year"].pk, people["ten"].pk, people["twenty"].pk}
    ten = entries[people["ten"].pk]
    assert (ten.reason, ten.article, ten.milestone_years, ten.effective_on, ten.days) == (
        "milestone",
        "LV-3",
        10,
        D(2026, 7, 1),
        Decimal("2"),
    )
    events = AuditEvent.objects.filter(action="leave_balance.milestone")
    assert events.count() == 3
    assert events.get(object_id=str(ten.balance_id)).changes["entitled_days"] == ["5.0", "7.0"]


def test_lv3_job_catches_up_a_past_year_and_a_late_balance(people):
    """LV-3: run for 2026 in 2027 (or with the balance granted after the milestone), the job sees
    every milestone of 2026 up to 31 December; twice = the same balances."""
    services.leave_balance_grant_annual(year=2026, today=D(2027, 1, 5))
    services.leave_balance_grant_annual(year=2026, today=D(2027, 1, 6))
    assert [_entitled(people[k]) for k in ("first_year", "ten", "twenty")] == [Decimal(2), Decimal(7), Decimal(13)]
    assert LeaveBalanceEntry.objects.count() == 3


def test_lv3_job_adds_to_an_hr_adjusted_balance_and_keeps_the_explanation(org, people):
    """LV-3: HR's adjustment stays; the milestone adds its days on top and says so."""
    services.leave_balance_grant_annual(year=2026, today=D(2026, 1, 1))
    services.leave_balance_set(
        actor=org.hr.user,
        employee_id=people["ten"].pk,
        leave_type_id=leave_type("annual").pk,
        year=2026,
        entitled_days=Decimal("6"),
        reason="Carried over from 2025",
    )
    services.leave_balance_grant_annual(year=2026, today=D(2026, 12, 31))
    balance = LeaveBalance.objects.get(employee=people["ten"], year=2026)
    assert balance.entitled_days == Decimal("8")
    with translation.override("en"):
        text = rules.explain_grant(balance.detail)
    assert "Carried over from 2025" in text and "10 years of cumulative work reached on 2026-07-01" in text


def test_lv3_job_leaves_leavers_and_missing_balances_alone(people):
    """LV-3: a leaver gets nothing; an employee without a balance of the year is not raised
    (the grant comes first, in the same run, for active employees)."""
    people["ten"].status, people["ten"].left_on = EmploymentStatus.LEFT, D(2025, 12, 31)
    people["ten"].save(update_fields=["status", "left_on"])
    services.leave_balance_grant_annual(year=2026, today=D(2026, 12, 31))
    assert not LeaveBalance.objects.filter(employee=people["ten"]).exists()
    assert not LeaveBalanceEntry.objects.filter(balance__employee=people["ten"]).exists()
    assert _entitled(people["twenty"]) == Decimal("13")  # granted 10, then raised, in one run


def test_lv3_job_queries_are_bounded(org, people, django_assert_max_num_queries):
    """LV-3: the job reads the candidates from the employees it loads; the queries do not grow
    with the head count (only one audit event per raised balance)."""
    services.leave_balance_grant_annual(year=2026, today=D(2026, 1, 1))
    for n in range(20):
        EmployeeFactory(team=org.a2, first_employed_on=D(2010, 3, 1) + datetime.timedelta(days=n))
    with django_assert_max_num_queries(30):
        result = services.leave_balance_grant_annual(year=2026, today=D(2026, 7, 1))
    assert result == {"year": 2026, "granted": 20, "raised": 3}


def test_lv3_balance_pages_show_the_milestone(client, org, people):
    """LV-3: HR's balance list explains the balance with the milestone reached, and the job's
    summary says how many balances a milestone raised."""
    services.leave_balance_grant_annual(year=2026, today=D(2026, 12, 31))
    org.hr.user.preferred_language = "en"
    org.hr.user.save(update_fields=["preferred_language"])
    client.force_login(org.hr.user)
    html = client.get(reverse("attendance:leave_balances"), {"year": 2026}).content.decode()
    assert "10 years of cumulative work reached on 2026-07-01" in html
    assert "First 12 months of cumulative work reached on 2026-06-15" in html


@pytest.mark.django_db(transaction=True)
def test_lv3_two_runs_at_once_raise_once(org):
    """LV-3, concurrency: two runs of the job at the same moment add the milestone once (the
    balances are locked, the ledger read under the lock)."""
    leave_type("annual")
    ten = EmployeeFactory(team=org.a1, first_employed_on=D(2016, 7, 1), hire_date=D(2020, 1, 1))
    services.leave_balance_grant_annual(year=2026, today=D(2026, 1, 1))
    outcomes = run_parallel(
        [
            lambda: services.leave_balance_grant_annual(year=2026, today=D(2026, 7, 1))["raised"],
            lambda: services.leave_balance_grant_annual(year=2026, today=D(2026, 7, 1))["raised"],
        ],
        results=True,
    )
    assert sorted(outcomes) == [0, 1]
    assert LeaveBalance.objects.get(employee=ten, year=2026).entitled_days == Decimal("7")
    assert LeaveBalanceEntry.objects.filter(balance__employee=ten).count() == 1
