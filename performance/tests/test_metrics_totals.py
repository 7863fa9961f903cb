"""The month's metric totals per agent (one query, call-weighted averages) and the call volumes
offered to the complaint statistics (CMP-4)."""

import datetime
from decimal import Decimal

from callcenter.providers import call_volumes_by_month, call_volumes_by_team
from performance.models import AgentDailyMetric
from performance.selectors import metric_totals
from performance.tests.factories import metric_days

SEPT = datetime.date(2026, 9, 1)


def test_metric_totals_weight_handling_time_and_qa_by_calls(org, django_assert_num_queries):
    """Given two days with different volumes, when totalled, then averages are call-weighted."""
    batch = metric_days(org.agent, SEPT, days=1, answered=100, resolved=90, handle_seconds=200, qa="90.00")
    AgentDailyMetric.objects.create(
        employee=org.agent, day=SEPT.replace(day=2), calls_answered=300, calls_resolved=240,
        avg_handle_seconds=400, qa_accuracy=Decimal("98.00"), source_import=batch,
    )  # fmt: skip
    metric_days(org.peer, datetime.date(2026, 10, 1), days=3)  # another month: not counted
    with django_assert_num_queries(1):
        totals = metric_totals(month=SEPT)
    agent = totals[org.agent.pk]
    assert (agent.days, agent.calls_answered, agent.calls_resolved) == (2, 400, 330)
    assert agent.avg_handle_seconds == Decimal("350.00")  # (100×200 + 300×400) / 400
    assert agent.qa_accuracy == Decimal("96.00")  # (100×90 + 300×98) / 400
    assert agent.resolution_rate == Decimal("82.50")
    assert org.peer.pk not in totals


def test_call_volumes_for_the_complaint_rate(org, django_assert_num_queries):
    """Given imported calls, when the core app asks for call volumes, then per month and per
    (month, team), one query each."""
    metric_days(org.agent, SEPT, days=2, answered=50, resolved=40)
    metric_days(org.other_dept, SEPT, days=1, answered=30, resolved=20)
    window = {"date_from": SEPT, "date_to": datetime.date(2026, 9, 30)}
    with django_assert_num_queries(2):
        assert call_volumes_by_month(**window) == {SEPT: 130}
        assert call_volumes_by_team(**window) == {(SEPT, org.a1.pk): 100, (SEPT, org.b1.pk): 30}
