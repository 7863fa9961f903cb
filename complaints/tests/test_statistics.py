"""Complaint statistics (CMP-4): the numbers on a small hand-made set, visibility (a manager sees
their area only), bounded queries, the audited export without contact details, the role matrix
of the page and the API, and the appraisal's satisfaction per agent (PRF-1). The complaint rate
with imported call volumes needs the performance app's metrics: ``tests/test_complaint_rate.py``."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter.errors import ApplicationError, PermissionDeniedError
from complaints.models import FollowUp
from complaints.rules import scrub_contacts
from complaints.selectors import complaint_satisfaction_by_agent, complaint_statistics
from complaints.services import complaint_statistics_export
from complaints.tests.factories import RANGE, STATISTICS_NOW, at, complaint_row, statistics_set
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = STATISTICS_NOW


@pytest.fixture
def data(org):
    return statistics_set(org)


def test_numbers_on_a_hand_made_set(org, data):
    # given four complaints in September–October and one on 31 August
    # when a complaint handler (who sees all) asks for September–October
    stats = complaint_statistics(user=org.handler.user, filters=RANGE, now=NOW)
    # then every figure is the hand-counted one
    assert (stats["total"], stats["open"], stats["closed"], stats["urgent"]) == (4, 2, 2, 1)
    assert (stats["reopened"], stats["escalated"]) == (1, 1)
    assert {r["key"]: r["count"] for r in stats["by_channel"]} == {"phone": 2, "email": 1, "online": 1}
    assert {r["key"]: r["count"] for r in stats["by_category"]} == {"billing": 2, "attitude": 1, "": 1}
    assert stats["by_category"][0]["key"] == "billing"
    assert (stats["by_cause"][0]["label"], stats["by_cause"][0]["count"]) == ("态度差", 2)
    assert {r["key"]: r["count"] for r in stats["by_team"]} == {org.a1.pk: 2, org.b1.pk: 1, None: 1}
    assert {r["key"]: r["count"] for r in stats["by_agent"]} == {org.agent.pk: 2, org.peer.pk: 1, org.other_team.pk: 1}
    assert stats["by_month"] == [
        {"month": "2026-09", "count": 2, "closed": 2, "satisfaction": 4.0, "calls": None, "rate": None},
        {"month": "2026-10", "count": 2, "closed": 0, "satisfaction": None, "calls": None, "rate": None},
    ]
    # (2 h + 30 h) / 2 and (10 h + 130 h) / 2
    assert stats["avg_first_response_hours"] == 16.0 and stats["avg_resolution_hours"] == 70.0
    # late: c2 answered and resolved late, c3 never answered; c4 is paused, so never late
    assert (stats["first_response_late"], stats["resolution_late"]) == (2, 2)
    assert stats["satisfaction"] == {
        "average": 4.0,
        "count": 2,
        "distribution": [{"score": s, "count": {3: 1, 5: 1}.get(s, 0)} for s in range(1, 6)],
    }
    # No calls imported: the rate is unknown, not zero.
    assert stats["complaint_rate_per_1000_calls"] is None and stats["calls"] is None
    assert str(stats["complaint_rate_note"]) == "本期未导入话务量"  # the reader's language


def test_filters_channel_category_team(org, data):
    by = lambda **f: complaint_statistics(user=org.handler.user, filters={**RANGE, **f}, now=NOW)["total"]  # noqa: E731
    assert by(channel="phone") == 2 and by(category="billing") == 2 and by(team=str(org.a1.pk)) == 2
    assert by(channel="fax") == 4  # an unknown channel is ignored, not an error
    assert (
        complaint_statistics(user=org.handler.user, filters={"date_from": "2026-10-01", "date_to": "2026-10-31"})[
            "total"
        ]
        == 2
    )


def test_a_manager_sees_only_their_area(org, data):
    # given the manager of department A (teams A1 and A2); c3 concerns team B1 only
    stats = complaint_statistics(user=org.manager.user, filters=RANGE, now=NOW)
    # then c1, c2 (team A1) and c4 (an agent of A2) count, c3 does not
    assert stats["total"] == 3
    assert {r["key"] for r in stats["by_team"]} == {org.a1.pk, None}
    assert {r["key"]: r["count"] for r in stats["by_channel"]}["online"] == 0


def test_cause_text_never_shows_a_contact():
    assert scrub_contacts("扣费 138 1234 5678 kehu3@example.com") == "扣费 138****5678 k***@example.com"
    assert scrub_contacts("订单号 20261128123456") == "订单号 20261128123456"


def test_queries_are_bounded_whatever_the_number_of_complaints(org, data, client):
    # given the statistics of 4 complaints, then of 34
    def count(fn):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    def fresh(user):  # a new User object, as in a new request (no cached employee or roles)
        return type(user).objects.get(pk=user.pk)

    client.force_login(org.manager.user)
    url = reverse("complaints:statistics")
    client.get(url, RANGE)  # warm-up: per-process caches (ContentType, policies) are not the point
    small_selector = count(lambda: complaint_statistics(user=fresh(org.manager.user), filters=RANGE))
    small_page = count(lambda: client.get(url, RANGE))
    for n in range(30):
        complaint_row(
            org, 100 + n, received=at(2026, 9, 1 + n % 28, 9), team=org.a1, concerned=[org.peer], cause=f"原因{n}"
        )
    # then the query counts do not grow (17: the totals, the grouped buckets, categories, causes,
    # teams, agents, the manager's scope, the access grants in force (a complaint case granted to
    # the reader; one query per request) and the call volumes of the CMP-4 rate)
    assert count(lambda: complaint_statistics(user=fresh(org.manager.user), filters=RANGE)) == small_selector <= 17
    assert count(lambda: client.get(url, RANGE)) == small_page <= 25


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("handler", 200),
        ("leader", 200),
        ("manager", 200),
        ("hr", 200),
        ("agent", 403),
        ("supervisor", 403),
        ("auditor", 403),
        ("other_dept", 403),
    ],
)
def test_page_and_api_role_matrix(org, data, client, who, status):
    client.force_login(getattr(org, who).user)
    response = client.get(reverse("complaints:statistics"), RANGE)
    assert response.status_code == status
    api = APIClient()
    api.force_authenticate(getattr(org, who).user)
    assert api.get(reverse("api:complaints:statistics"), RANGE).status_code == status
    if status == 200:
        assert b'data-complaint-chart="line"' in response.content
        assert b"vendor/chartjs/chart.umd.min.js" in response.content
        assert b"13812345678" not in response.content and b"1234 5678" not in response.content
        assert b"kehu" not in response.content  # no customer e-mail (the typed-in one is masked: k***@)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("complaints:statistics"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_api_returns_the_same_numbers(org, data):
    api = APIClient()
    api.force_authenticate(org.handler.user)
    body = api.get(reverse("api:complaints:statistics"), RANGE).json()
    stats = complaint_statistics(user=org.handler.user, filters=RANGE)
    assert body["total"] == stats["total"] == 4
    assert body["by_month"] == stats["by_month"] and body["satisfaction"] == stats["satisfaction"]
    assert body["complaint_rate_per_1000_calls"] is None
    assert api.get(reverse("api:complaints:statistics"), {"date_from": "not-a-date"}).status_code == 400


def test_export_is_audited_and_has_no_contact_details(org, data, client):
    client.force_login(org.handler.user)
    # when the handler exports CSV and XLSX
    response = client.get(reverse("complaints:statistics"), {**RANGE, "format": "csv"})
    xlsx = client.get(reverse("complaints:statistics"), {**RANGE, "format": "xlsx"})
    # then the CSV holds the page's numbers and no phone number or e-mail address
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[6][2] == "4" and ["2026-09", "2"] in [row[1:] for row in rows]  # total; September
    assert "13812345678" not in text and "1234 5678" not in text and "kehu" not in text
    assert "138****5678" in text  # the phone typed into a cause, masked
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    # and each export is one audit event naming the range, format and filters
    events = AuditEvent.objects.filter(action="complaint.statistics_export").order_by("pk")
    assert [e.changes["format"] for e in events] == ["csv", "xlsx"]
    assert events[0].object_id == "2026-09-01..2026-10-31" and events[0].changes["filters"]["date_from"] == "2026-09-01"
    assert "kehu" not in str(events[0].changes) and "138" not in str(events[0].changes)


def test_export_refused_to_roles_without_the_page(org, data, client):
    client.force_login(org.supervisor.user)
    assert client.get(reverse("complaints:statistics"), {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="complaint.statistics_export").exists()


def test_export_service_audits_in_its_transaction_and_returns_the_file(org, data):
    # given the complaint handler; when the statistics are exported as CSV by the service
    export = complaint_statistics_export(actor=org.handler.user, filters=RANGE, fmt="csv")
    # then it is the file of the page's numbers, and one audit event says so
    assert export.filename == "complaint-statistics-20260901-20261031.csv"
    assert export.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    event = AuditEvent.objects.get(action="complaint.statistics_export")
    assert event.actor == org.handler.user and event.changes["format"] == "csv"
    assert event.changes["rows"] == len(rows) - 1  # the header row is not a data row


@pytest.mark.parametrize("who", ["agent", "supervisor", "auditor", "other_dept"])
def test_export_service_refuses_roles_without_the_statistics(org, data, who):
    with pytest.raises(PermissionDeniedError):
        complaint_statistics_export(actor=getattr(org, who).user, filters=RANGE, fmt="csv")
    assert not AuditEvent.objects.filter(action="complaint.statistics_export").exists()


def test_export_service_refuses_an_unknown_format(org, data):
    with pytest.raises(ApplicationError) as exc:
        complaint_statistics_export(actor=org.handler.user, filters=RANGE, fmt="pdf")
    assert exc.value.code == "export_format_invalid" and exc.value.field == "format"
    assert not AuditEvent.objects.filter(action="complaint.statistics_export").exists()


def test_satisfaction_by_agent_for_the_appraisal_month(org, data):
    c1, c2, *_ = data
    FollowUp.objects.create(complaint=c1, satisfaction=5, at=at(2026, 9, 11, 10), by=org.handler.user)
    FollowUp.objects.create(complaint=c2, satisfaction=2, at=at(2026, 9, 26, 10), by=org.handler.user)
    FollowUp.objects.create(complaint=c2, satisfaction=3, at=at(2026, 9, 28, 10), by=org.handler.user)
    FollowUp.objects.create(complaint=c2, satisfaction=1, at=at(2026, 10, 1, 10), by=org.handler.user)
    # agent: 5, 2, 3 in September; peer: 2, 3; the October visit is another month
    assert complaint_satisfaction_by_agent(month=datetime.date(2026, 9, 1)) == {org.agent.pk: 3.33, org.peer.pk: 2.5}
    assert complaint_satisfaction_by_agent(month=datetime.date(2026, 10, 15)) == {org.agent.pk: 1.0, org.peer.pk: 1.0}
    assert complaint_satisfaction_by_agent(month=datetime.date(2026, 8, 1)) == {}
