"""The security page, its alerts and its API (SEC-3): security auditors only (role matrix), what
it shows per category and period, bounded queries, the acknowledgement of an alert with a note
(audited, never by the person concerned), bad input explained, and the page on SQLite."""

import datetime
import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.models import User
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.factories import reads_english
from datasecurity import services
from datasecurity.bench.monitor import append_chained_events
from datasecurity.models import AuditEvent, SecurityAlert, SecurityAlertState

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
OVERVIEW = "/security/"
ROLES = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]


def local(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def _alert_about(user, day, rows=250) -> SecurityAlert:
    append_chained_events(
        [(local(day, 10, 5), user, "directory.export", {"rows": rows})],
    )
    services.security_monitor_scan()
    return SecurityAlert.objects.get(subject=user, window_start=local(day, 10))


@pytest.fixture
def day():
    return timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def data(org, day):
    """A day with one event of each category and a bulk-read alert about HR."""
    append_chained_events(
        [
            (local(day, 3, 10), None, "auth.login_failed", {"username": "agent"}),
            (local(day, 3, 20), org.agent.user, "auth.login", {}),
            (local(day, 9, 0), org.agent.user, "security.permission_denied", {"path": "/security/"}),
            (local(day, 9, 30), org.handler.user, "complaint.contact_reveal", {"fields": ["phone"]}),
            (local(day, 10, 5), org.hr.user, "directory.export", {"rows": 250}),
            (local(day, 11, 0), org.hr.user, "policy.version_create", {}),
            (local(day, 12, 0), org.hr.user, "employee.update", {}),
        ]
    )
    services.security_monitor_scan()
    return SecurityAlert.objects.get()


def _urls(alert_pk):
    return {
        "page": [
            ("get", OVERVIEW),
            ("get", reverse("datasecurity:security_alert_list")),
            ("get", reverse("datasecurity:security_alert_detail", args=[alert_pk])),
        ],
        "api": [
            ("get", "/api/v1/security/summary/"),
            ("get", "/api/v1/security/alerts/"),
            ("get", f"/api/v1/security/alerts/{alert_pk}/"),
        ],
    }


@pytest.mark.parametrize("who", ROLES)
def test_only_security_auditors_read_the_page_and_the_api(client, org, data, who):
    client.force_login(getattr(org, who).user)
    expected = 200 if who == "auditor" else 403
    for kind, urls in _urls(data.pk).items():
        for _method, url in urls:
            response = client.get(url)
            assert response.status_code == expected, f"{who} {kind} {url}: {response.status_code}"


@pytest.mark.parametrize("who", [r for r in ROLES if r != "auditor"])
def test_nobody_else_acknowledges_an_alert(client, org, data, who):
    client.force_login(getattr(org, who).user)
    url = reverse("datasecurity:security_alert_acknowledge", args=[data.pk])
    assert client.post(url, {"note": "x"}).status_code == 403
    api = client.post(f"/api/v1/security/alerts/{data.pk}/acknowledge/", {"note": "x"}, content_type="application/json")
    assert api.status_code == 403
    data.refresh_from_db()
    assert data.state == SecurityAlertState.OPEN


def test_a_visitor_who_is_not_signed_in_goes_to_the_login(data):
    anonymous = Client()
    for url in (OVERVIEW, reverse("datasecurity:security_alert_list")):
        response = anonymous.get(url)
        assert response.status_code == 302 and reverse("callcenter:login") in response["Location"]
    assert anonymous.get("/api/v1/security/summary/").status_code in (401, 403)


def test_the_page_shows_each_category_over_the_period(client, org, data, day, django_assert_max_num_queries):
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    query = {"since": day.isoformat(), "until": day.isoformat()}
    with django_assert_max_num_queries(21):  # 10 of the page's own, the rest every page's (session, nav)
        html = client.get(OVERVIEW, query).content.decode()
    totals = html[html.index('id="security-totals"') : html.index("security-chart-data")]
    for category, count in (
        ("sign_in_failure", 1),
        ("permission_denied", 1),
        ("export", 1),
        ("contact_reveal", 1),
        ("policy_change", 1),
        ("after_hours", 1),
        ("sign_in", 1),
    ):
        card = totals[totals.index(f'data-category="{category}"') :]
        assert f'<div class="fs-4 fw-semibold">{count}</div>' in card[:400], category
    assert "Failed sign-ins and lockouts" in html and "After-hours access" in html
    # a one-day period is charted per hour, with the numbers in a table
    assert "Events per hour" in html and 'id="security-chart-table"' in html
    assert 'data-security-chart="line"' in html and "SEC-3" in html
    # the open alert about HR is listed with a link
    assert f'data-alert="{data.pk}"' in html
    # every watched event is listed once (7 watched, the ordinary change not)
    assert html.count("<tr data-event=") == 6


def test_a_category_lists_its_events_and_after_hours_the_night_access(client, org, data, day):
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    html = client.get(OVERVIEW, {"since": day.isoformat(), "until": day.isoformat(), "category": "after_hours"})
    html = html.content.decode()
    rows = html[html.index('id="security-events"') :]
    assert rows.count("<tr data-event=") == 1 and 'data-category="sign_in"' in rows and "after hours" in rows
    html = client.get(OVERVIEW, {"since": day.isoformat(), "until": day.isoformat(), "category": "export"})
    rows = html.content.decode()
    rows = rows[rows.index('id="security-events"') :]
    assert rows.count("<tr data-event=") == 1 and "Staff directory exported" in rows and ">250<" in rows


def test_a_long_period_is_charted_per_day_and_the_list_paginated(client, org, day, django_assert_max_num_queries):
    # given 120 sign-ins over 3 days
    append_chained_events(
        [
            (local(day - datetime.timedelta(days=i % 3), 8 + i % 10, i % 60), org.agent.user, "auth.login", {})
            for i in range(120)
        ]
    )
    services.security_monitor_scan()
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    query = {"since": (day - datetime.timedelta(days=29)).isoformat(), "until": day.isoformat(), "category": "sign_in"}
    with django_assert_max_num_queries(21):  # 10 of the page's own, the rest every page's (session, nav)
        html = client.get(OVERVIEW, {**query, "page": "3"}).content.decode()
    assert "Events per day" in html and "Page 3 of 3" in html
    assert html.count("<tr data-event=") == 20


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "2026-13-01"}, "Dates are written YYYY-MM-DD"),
        ({"since": "2026-05-10", "until": "2026-05-01"}, "The period starts after it ends"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most 366 days"),
        ({"category": "everything"}, "Unknown category"),
    ],
)
def test_bad_filters_are_explained_and_the_default_period_shown(client, org, query, message):
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    response = client.get(OVERVIEW, query)
    assert response.status_code == 200 and message in response.content.decode()
    api = client.get("/api/v1/security/summary/", query)
    assert api.status_code == 400 and api.json()["code"] in ("invalid_period", "invalid_category")


def test_the_summary_api_gives_totals_and_series(client, org, data, day, django_assert_max_num_queries):
    client.force_login(org.auditor.user)
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/security/summary/", {"since": day.isoformat(), "until": day.isoformat()}).json()
    totals = {t["category"]: t["events"] for t in body["totals"]}
    assert totals == {
        "sign_in_failure": 1,
        "permission_denied": 1,
        "export": 1,
        "contact_reveal": 1,
        "policy_change": 1,
        "after_hours": 1,
        "sign_in": 1,
    }
    assert body["granularity"] == "hour" and len(body["labels"]) == 24
    export = next(s for s in body["series"] if s["category"] == "export")
    assert export["values"][10] == 1 and sum(export["values"]) == 1
    records = {t["category"]: t["records"] for t in body["totals"]}
    assert records["export"] == 250 and records["contact_reveal"] == 1


def test_an_auditor_acknowledges_an_alert_with_a_note(client, org, data):
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    url = reverse("datasecurity:security_alert_acknowledge", args=[data.pk])
    # without a note: refused, nothing changed
    response = client.post(url, {"note": "   "}, follow=True)
    assert "Write a note" in response.content.decode()
    data.refresh_from_db()
    assert data.state == "open" and not AuditEvent.objects.filter(action="security.alert_acknowledge").exists()
    # with one: acknowledged, by whom and when, the note kept, audited
    response = client.post(url, {"note": "Monthly directory for the payroll office; confirmed with HR."}, follow=True)
    assert "Alert acknowledged" in response.content.decode()
    data.refresh_from_db()
    assert data.state == "acknowledged" and data.acknowledged_by == org.auditor.user and data.acknowledged_at
    assert data.note.startswith("Monthly directory")
    event = AuditEvent.objects.get(action="security.alert_acknowledge")
    assert event.actor == org.auditor.user and event.object_id == str(data.pk)
    assert event.changes["state"] == ["open", "acknowledged"]
    # and a second acknowledgement is refused (409 in the API)
    api = client.post(
        f"/api/v1/security/alerts/{data.pk}/acknowledge/", {"note": "again"}, content_type="application/json"
    )
    assert api.status_code == 409 and api.json()["code"] == "alert_not_open"


def test_the_api_acknowledges_and_lists_by_state(client, org, data):
    client.force_login(org.auditor.user)
    assert client.get("/api/v1/security/alerts/", {"state": "open"}).json()["count"] == 1
    api = client.post(
        f"/api/v1/security/alerts/{data.pk}/acknowledge/", {"note": "checked"}, content_type="application/json"
    )
    assert (
        api.status_code == 200 and api.json()["state"] == "acknowledged" and api.json()["acknowledged_by"] == "auditor"
    )
    assert client.get("/api/v1/security/alerts/", {"state": "open"}).json()["count"] == 0
    assert client.get("/api/v1/security/alerts/", {"state": "acknowledged"}).json()["count"] == 1
    assert client.get("/api/v1/security/alerts/", {"state": "bogus"}).status_code == 400
    assert client.get("/api/v1/security/alerts/999999/").status_code == 404


def test_an_auditor_cannot_acknowledge_an_alert_about_themselves(client, org, day):
    reads_english(org.auditor)
    alert = _alert_about(org.auditor.user, day)
    client.force_login(org.auditor.user)
    # the page says why and offers no form
    html = client.get(reverse("datasecurity:security_alert_detail", args=[alert.pk])).content.decode()
    assert 'id="security-alert-own"' in html and 'id="security-alert-acknowledge"' not in html
    # the API and the service refuse
    api = client.post(
        f"/api/v1/security/alerts/{alert.pk}/acknowledge/", {"note": "fine"}, content_type="application/json"
    )
    assert api.status_code == 403 and api.json()["code"] == "own_record"
    alert.refresh_from_db()
    assert alert.state == "open"
    # another auditor may
    other = f.UserFactory(username="auditor2", roles=[Role.SECURITY_AUDITOR])
    services.security_alert_acknowledge(actor=other, alert_id=alert.pk, note="Quarterly audit export, expected.")
    alert.refresh_from_db()
    assert alert.state == "acknowledged"


def test_the_database_refuses_an_acknowledgement_about_oneself_or_without_a_note(org, day):
    alert = _alert_about(org.hr.user, day)
    now = timezone.now()
    update = SecurityAlert.objects.filter(pk=alert.pk).update
    with pytest.raises(IntegrityError), transaction.atomic():
        update(state="acknowledged", acknowledged_by=org.hr.user, acknowledged_at=now, note="mine")
    with pytest.raises(IntegrityError), transaction.atomic():
        update(state="acknowledged", acknowledged_by=org.auditor.user, acknowledged_at=now, note="")
    with pytest.raises(IntegrityError), transaction.atomic():
        SecurityAlert.objects.create(
            kind=alert.kind,
            subject=alert.subject,
            window_start=alert.window_start,
            window_end=alert.window_end,
            count=1,
            events=1,
            threshold=1,
            first_event_id=1,
            last_event_id=1,
            first_at=now,
            last_at=now,
        )


def test_the_alert_page_lists_what_was_read_in_the_hour(client, org, data, django_assert_max_num_queries):
    reads_english(org.auditor)
    client.force_login(org.auditor.user)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("datasecurity:security_alert_detail", args=[data.pk])).content.decode()
    reads = html[html.index('id="security-alert-reads"') :]
    assert reads.count("<tr data-event=") == 1 and "Staff directory exported" in reads
    assert "250 sensitive records read in 1 events in this hour, more than the 200 per hour" in html


def test_the_endpoints_are_in_the_openapi_schema(client, org):
    client.force_login(org.auditor.user)
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    for path in (
        "/api/v1/security/summary/",
        "/api/v1/security/alerts/",
        "/api/v1/security/alerts/{id}/",
        "/api/v1/security/alerts/{id}/acknowledge/",
    ):
        assert path in schema["paths"], path


@pytest.mark.sqlite
def test_the_security_page_works_on_sqlite(sqlite_db):
    """The `make run` database: the job, the page and the API answer (no PostgreSQL-only SQL)."""
    auditor = f.UserFactory(username="auditor-sqlite", roles=[Role.SECURITY_AUDITOR])
    hr = f.UserFactory(username="hr-sqlite", roles=[Role.HR])
    services.audit_record(actor=hr, action="directory.export", changes={"rows": 300})
    services.audit_record(actor=hr, action="complaint.contact_reveal")
    result = services.security_monitor_scan()
    assert result.watched == 2 and result.alerts_raised == 1
    client = Client()
    client.force_login(User.objects.get(pk=auditor.pk))
    assert client.get(OVERVIEW).status_code == 200
    assert client.get(OVERVIEW, {"category": "export"}).status_code == 200
    alert = SecurityAlert.objects.get()
    assert client.get(reverse("datasecurity:security_alert_detail", args=[alert.pk])).status_code == 200
    assert client.get("/api/v1/security/summary/").json()["totals"][2]["events"] == 1
    response = client.post(reverse("datasecurity:security_alert_acknowledge", args=[alert.pk]), {"note": "ok"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "acknowledged"
