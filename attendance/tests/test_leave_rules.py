"""Leave rules as pure functions, table-tested at their boundaries (LV-3, LV-4)."""

import datetime
from decimal import Decimal

import pytest

from attendance import rules
from attendance.models import LeavePolicy

D = Decimal


def policy(**overrides):
    base = LeavePolicy(effective_from=datetime.date(2000, 1, 1))
    for key, value in overrides.items():
        setattr(base, key, value)
    return base


# --- LV-4: the authority by length ------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "tier"),
    [
        (D("0.5"), "supervisor"),
        (D("1"), "supervisor"),  # exactly approve_supervisor_max_days
        (D("1.5"), "manager"),
        (D("3"), "manager"),  # exactly approve_manager_max_days
        (D("3.5"), "leader"),
        (D("98"), "leader"),
    ],
)
def test_required_tier_default_policy(days, tier):
    """Given the default policy (1 / 3 days), when a request counts N days, then it needs this tier (LV-4)."""
    needed, explanation = rules.required_tier(days, policy())
    assert needed == tier
    assert explanation["article"] == "LV-4"
    assert explanation["supervisor_max"] == "1" and explanation["manager_max"] == "3"


@pytest.mark.parametrize(
    ("days", "tier"), [(D("2"), "supervisor"), (D("2.5"), "manager"), (D("5"), "manager"), (D("5.5"), "leader")]
)
def test_required_tier_changed_policy(days, tier):
    """Given HR raised the limits to 2 / 5 days, then the boundaries move with them (LV-4)."""
    changed = policy(approve_supervisor_max_days=D("2"), approve_manager_max_days=D("5"))
    assert rules.required_tier(days, changed)[0] == tier


CHAIN = [("supervisor", 10), ("manager", 20), ("leader", 30)]


@pytest.mark.parametrize(
    ("needed", "direct", "expected"),
    [
        ("supervisor", False, [("supervisor", 10, True)]),
        ("manager", False, [("supervisor", 10, False), ("manager", 20, True)]),
        ("leader", False, [("supervisor", 10, False), ("manager", 20, False), ("leader", 30, True)]),
        ("supervisor", True, [("supervisor", 10, True)]),
        ("manager", True, [("manager", 20, True)]),
        ("leader", True, [("leader", 30, True)]),
    ],
)
def test_route_climbs_or_goes_direct(needed, direct, expected):
    """Default: the chain is climbed up to the authority; the switch sends it there alone (LV-4)."""
    steps = rules.build_route(chain=CHAIN, needed=needed, direct=direct)
    assert [(s.tier, s.approver_id, s.decides) for s in steps] == expected


def test_route_missing_tier_passes_to_the_next_above():
    """Given a requester who is their team's supervisor (not in their own chain), a 1-day request
    goes to the department manager; with no manager either, to the leader."""
    steps = rules.build_route(chain=[("manager", 20), ("leader", 30)], needed="supervisor", direct=False)
    assert [(s.tier, s.decides) for s in steps] == [("manager", True)]
    steps = rules.build_route(chain=[("leader", 30)], needed="manager", direct=False)
    assert [(s.tier, s.decides) for s in steps] == [("leader", True)]
    assert rules.build_route(chain=[("supervisor", 10)], needed="leader", direct=False) == []


def test_route_one_person_two_tiers_approves_once():
    """Given the supervisor is also the department manager, they approve once, as manager."""
    steps = rules.build_route(chain=[("supervisor", 10), ("manager", 10)], needed="manager", direct=False)
    assert [(s.tier, s.approver_id, s.decides) for s in steps] == [("manager", 10, True)]


# --- LV-3: counting days ------------------------------------------------------------------------


def kinds(mapping):
    def day_kind(day):
        return mapping.get(day, (True, "workday", ""))

    return day_kind


MON = datetime.date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("start", "pm", "end", "noon", "expected"),
    [
        (MON, False, MON, False, D("1")),
        (MON, True, MON, False, D("0.5")),
        (MON, False, MON, True, D("0.5")),
        (MON, True, MON + datetime.timedelta(days=1), False, D("1.5")),
        (MON, False, MON + datetime.timedelta(days=2), True, D("2.5")),
        (MON, False, MON + datetime.timedelta(days=6), False, D("5")),  # Sat/Sun not counted
    ],
)
def test_working_days_with_half_days(start, pm, end, noon, expected):
    weekend = {
        MON + datetime.timedelta(days=5): (False, "weekend", ""),
        MON + datetime.timedelta(days=6): (False, "weekend", ""),
    }
    result = rules.count_days(
        counting="working",
        start_date=start,
        starts_afternoon=pm,
        end_date=end,
        ends_at_noon=noon,
        day_kind=kinds(weekend),
    )
    assert result.days == expected
    assert len(result.breakdown) == (end - start).days + 1


def test_calendar_days_count_weekends_and_holidays():
    """Maternity leave counts calendar days (LV-3): 98 days are 98 whatever falls inside."""
    result = rules.count_days(
        counting="calendar",
        start_date=MON,
        starts_afternoon=False,
        end_date=MON + datetime.timedelta(days=97),
        ends_at_noon=False,
        day_kind=lambda day: (False, "holiday", "x"),
    )
    assert result.days == D("98")


# --- LV-3: annual leave by years worked ---------------------------------------------------------


@pytest.mark.parametrize(
    ("first_employed", "days", "rule"),
    [
        (datetime.date(2025, 1, 2), D("0"), "under_one_year"),  # 364 days on 1 Jan 2026
        (datetime.date(2025, 1, 1), D("5"), "by_years"),  # exactly 1 year
        (datetime.date(2016, 1, 2), D("5"), "by_years"),  # 9 years 364 days
        (datetime.date(2016, 1, 1), D("10"), "by_years"),  # exactly 10
        (datetime.date(2006, 1, 2), D("10"), "by_years"),  # under 20
        (datetime.date(2006, 1, 1), D("15"), "by_years"),  # exactly 20
    ],
)
def test_annual_entitlement_bands(first_employed, days, rule):
    got, detail = rules.annual_entitlement(
        first_employed_on=first_employed,
        hire_date=datetime.date(2020, 1, 1) if first_employed.year < 2020 else first_employed,
        year=2026,
        policy=policy(),
    )
    assert (got, detail["rule"], detail["article"]) == (days, rule, "LV-3")


def test_annual_entitlement_pro_rated_for_a_joiner():
    """A joiner on 1 July 2026 with 12 years worked: 184/365 × 10 = 5.04 → 5 days (rounded down)."""
    got, detail = rules.annual_entitlement(
        first_employed_on=datetime.date(2014, 7, 1), hire_date=datetime.date(2026, 7, 1), year=2026, policy=policy()
    )
    assert got == D("5")
    assert detail["rule"] == "pro_rata" and detail["days_left"] == 184 and detail["full_year_days"] == 10
    assert "184" in rules.explain_grant(detail)


def test_annual_entitlement_reads_the_policy():
    got, _ = rules.annual_entitlement(
        first_employed_on=datetime.date(2000, 1, 1),
        hire_date=datetime.date(2010, 1, 1),
        year=2026,
        policy=policy(annual_days_20_years=18),
    )
    assert got == D("18")


@pytest.mark.parametrize(
    ("rule", "difficult", "babies", "limit"),
    [
        ("marriage", False, 0, D("3")),
        ("paternity", False, 0, D("15")),
        ("bereavement", False, 0, D("3")),
        ("maternity", False, 0, D("98")),
        ("maternity", True, 0, D("113")),
        ("maternity", True, 1, D("128")),
        ("sick", False, 0, None),
    ],
)
def test_event_leave_limits(rule, difficult, babies, limit):
    got, _ = rules.per_request_limit(rule=rule, policy=policy(), difficult_birth=difficult, extra_babies=babies)
    assert got == limit


def test_day_parts():
    parts = rules.day_parts(MON, True, MON + datetime.timedelta(days=2), True)
    assert [p for _, p in parts] == ["afternoon", "full", "morning"]


@pytest.mark.parametrize(
    ("entitled", "used", "pending", "available"),
    [("5", "0", "0", "5"), ("5", "3", "0", "2"), ("5", "3", "2", "0"), ("5", "3", "2.5", "-0.5"), ("0", "0", "0", "0")],
)
def test_balance_available_is_entitled_minus_used_minus_pending(entitled, used, pending, available):
    """LV-3: what a new request may still take from a balance (the quote, the summary and the API)."""
    got = rules.balance_available(
        entitled_days=Decimal(entitled), used_days=Decimal(used), pending_days=Decimal(pending)
    )
    assert got == Decimal(available)
    # no pending request: the pending days default to none
    without = rules.balance_available(entitled_days=Decimal(entitled), used_days=Decimal(used))
    assert without == rules.balance_available(
        entitled_days=Decimal(entitled), used_days=Decimal(used), pending_days=Decimal("0")
    )
