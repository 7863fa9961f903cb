"""The complaint rate per 1,000 calls (CMP-4) from the call volumes the performance app imports
(PRF-1 telephony metrics): complaints and performance meet here, in a project-level test, so
neither app's tests depend on the other's."""

import datetime

import pytest

from complaints.selectors import complaint_statistics
from complaints.tests.factories import RANGE, STATISTICS_NOW, statistics_set
from performance.tests.factories import metric_days

pytestmark = pytest.mark.django_db

NOW = STATISTICS_NOW


@pytest.fixture
def data(org):
    return statistics_set(org)


def test_complaint_rate_per_1000_calls_from_the_metrics_import(org, data):
    """Given calls answered imported by the telephony metrics (PRF-1) for September and October,
    when the statistics are read (CMP-4), then complaints ÷ calls × 1,000 overall, per month and
    per team; a team filter uses that team's calls."""
    metric_days(org.agent, datetime.date(2026, 9, 1), days=10, answered=100, resolved=90)  # A1: 1,000 calls
    metric_days(org.peer, datetime.date(2026, 10, 1), days=10, answered=100, resolved=90)  # A1: 1,000 calls
    metric_days(org.other_dept, datetime.date(2026, 10, 1), days=20, answered=100, resolved=90)  # B1: 2,000
    stats = complaint_statistics(user=org.handler.user, filters=RANGE, now=NOW)
    assert stats["calls"] == 4000
    assert stats["complaint_rate_per_1000_calls"] == 1.0  # 4 complaints ÷ 4,000 calls × 1,000
    assert [(m["month"], m["calls"], m["rate"]) for m in stats["by_month"]] == [
        ("2026-09", 1000, 2.0),
        ("2026-10", 3000, 0.67),
    ]
    teams = {r["key"]: (r["calls"], r["rate"]) for r in stats["by_team"]}
    assert teams[org.a1.pk] == (2000, 1.0) and teams[org.b1.pk] == (2000, 0.5)
    only_a1 = complaint_statistics(user=org.handler.user, filters={**RANGE, "team": str(org.a1.pk)}, now=NOW)
    assert (only_a1["total"], only_a1["calls"], only_a1["complaint_rate_per_1000_calls"]) == (2, 2000, 1.0)


def test_complaint_rate_counts_only_the_months_with_imported_calls(org, data):
    """Given calls imported for October only, when September and October are read (CMP-4), then the
    overall rate is October's complaints over October's calls (September's complaints are not put
    over October's calls), the note says so, September has no rate, and no team gets a rate
    (a team's complaints span both months)."""
    metric_days(org.peer, datetime.date(2026, 10, 1), days=10, answered=100, resolved=90)  # A1: 1,000
    metric_days(org.other_dept, datetime.date(2026, 10, 1), days=10, answered=100, resolved=90)  # B1: 1,000
    stats = complaint_statistics(user=org.handler.user, filters=RANGE, now=NOW)
    assert stats["calls"] == 2000
    assert stats["complaint_rate_per_1000_calls"] == 1.0  # October: 2 complaints ÷ 2,000 calls
    assert "1 of 2 months" in stats["complaint_rate_note"] or "2 个月中" in stats["complaint_rate_note"]
    assert [(m["month"], m["rate"]) for m in stats["by_month"]] == [("2026-09", None), ("2026-10", 1.0)]
    assert all(row["rate"] is None for row in stats["by_team"])
