"""SECURITY.md classes 5 (injection), 8 (concurrency) and 11 (time) for the audit trail where it
had no test of its own. A failed sign-in records the username as typed by anyone on the internet:
on the security auditor's page it must be text, never markup (a stored XSS aimed at the one role
that reads the trail). Two retention purges, or a purge and appends, at the same moment leave a
chain that verifies. The trail's days are local days, at the year's end too, and the time of an
event is the server's, whatever the client sends."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import django.utils.timezone as tz
import pytest
from django.test import Client
from django.urls import reverse

from callcenter.roles import Role
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditChainHead, AuditEvent
from datasecurity.selectors import audit_chain_verify, audit_event_list
from datasecurity.services import audit_record, audit_retention_purge

TZ = ZoneInfo("Asia/Shanghai")
USERNAME = '<script>alert("audit")</script>'


def _auditor(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.auditor.user)
    return client


def test_a_username_tried_at_sign_in_is_text_on_the_auditors_page(org):
    """Given a failed sign-in whose username is a <script> tag, when the auditor opens the audit
    trail (all events, then the sign-in tab), then the username is shown escaped on both, never
    as markup."""
    Client().post(reverse("callcenter:login"), {"username": USERNAME, "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    assert AuditEvent.objects.filter(action="auth.login_failed", object_repr=USERNAME).exists()
    client = _auditor(org)
    for params in ({}, {"category": "sign_in"}):
        html = client.get(reverse("datasecurity:audit_event_list"), params).content.decode()
        assert USERNAME not in html
        assert "&lt;script&gt;alert(&quot;audit&quot;)&lt;/script&gt;" in html


def test_filter_values_are_echoed_as_text(org):
    """Given filter values that try to close the input and open a script, when the auditor's
    filter form is shown again with them, then they stay inside their attribute, escaped."""
    payload = '"><script>alert(1)</script>'
    html = _auditor(org).get(reverse("datasecurity:audit_event_list"), {"action": payload, "actor": payload})
    text = html.content.decode()
    assert html.status_code == 200 and "<script>alert(1)</script>" not in text
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_an_event_at_23_59_59_on_new_years_eve_is_on_that_local_day(org):
    """Given an event recorded at 23:59:59 on 31 December 2026 and one at 00:00:00 on 1 January
    2027 (server time, Asia/Shanghai), when the auditor filters by day, then 31 December holds the
    first only and 1 January the second only (local days: in UTC both are on 31 December), and the
    page shows each at its local time."""
    events = []
    for moment in (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=TZ), datetime.datetime(2027, 1, 1, tzinfo=TZ)):
        with mock.patch.object(tz, "now", return_value=moment):
            events.append(audit_record(actor=org.hr.user, action="policy.version_create", object_repr="年末"))
    eve, new_year = events
    user = org.auditor.user
    on_eve = audit_event_list(user=user, filters={"since": "2026-12-31", "until": "2026-12-31"})
    on_new_year = audit_event_list(user=user, filters={"since": "2027-01-01", "until": "2027-01-01"})
    assert list(on_eve.filter(action="policy.version_create")) == [eve]
    assert list(on_new_year.filter(action="policy.version_create")) == [new_year]
    html = _auditor(org).get(reverse("datasecurity:audit_event_list"), {"action": "policy."}).content.decode()
    assert "2026-12-31 23:59:59" in html and "2027-01-01 00:00:00" in html


def test_the_time_of_an_event_is_the_servers_not_the_clients(org):
    """Given HR's request carrying a Date header from another year, when it writes (a role change
    is audited), then the event's time is the server's clock."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_DATE="Thu, 01 Jan 1970 00:00:00 GMT")
    client.force_login(org.hr.user)
    before = tz.now()
    response = client.post(
        reverse("callcenter:user_roles", args=[org.peer.user.pk]), {"role": Role.SUPERVISOR, "op": "assign"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.role_assign")
    assert before <= event.occurred_at <= tz.now()


# --- Concurrency: the retention purge against itself and against appends, on real connections ---


def _old_events(n, *, days_ago):
    at = tz.now() - datetime.timedelta(days=days_ago)
    with mock.patch.object(tz, "now", return_value=at):
        return [audit_record(actor=None, action="test.old", object_id=i) for i in range(n)]


@pytest.mark.django_db(transaction=True)
def test_two_retention_purges_at_once_purge_once_and_the_chain_holds(org):
    """Given three events past the 180 days of retention and newer ones, when the retention job
    runs twice at the same moment (two workers), then the old events are deleted once (3 in all,
    one purge audited), the chain's count is right and it verifies."""
    _old_events(3, days_ago=200)
    audit_record(actor=None, action="test.new", object_id=1)
    results = run_parallel([audit_retention_purge, audit_retention_purge], results=True)
    assert sorted(r.purged for r in results) == [0, 3]
    assert AuditEvent.objects.filter(action="audit.retention_purge").count() == 1
    assert not AuditEvent.objects.filter(action="test.old").exists()
    assert AuditChainHead.objects.get(pk=1).event_count == AuditEvent.objects.count()
    report = audit_chain_verify()
    assert report.ok, report.problems


@pytest.mark.django_db(transaction=True)
def test_a_purge_racing_appends_leaves_a_chain_that_verifies(org):
    """Given old events, when the retention purge and four appends run at the same moment, then
    every append is kept, the old events are gone, and the chain verifies from its new anchor."""
    _old_events(3, days_ago=200)
    audit_record(actor=None, action="test.new", object_id=0)

    def append(i):
        return lambda: audit_record(actor=None, action="test.racing", object_id=i)

    run_parallel([audit_retention_purge, *(append(i) for i in range(4))])
    assert AuditEvent.objects.filter(action="test.racing").count() == 4
    assert not AuditEvent.objects.filter(action="test.old").exists()
    assert AuditChainHead.objects.get(pk=1).event_count == AuditEvent.objects.count()
    report = audit_chain_verify()
    assert report.ok, report.problems
