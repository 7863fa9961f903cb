"""The monitoring job (SEC-3): each category is detected, the hourly counts are kept incrementally
(the same totals as counting the events themselves), after-hours follows the policy's working
hours at their boundaries, and a bulk read alerts the auditors once per user and hour."""

import datetime
from collections import Counter

import pytest
from django.db.models import Sum
from django.utils import timezone

from callcenter.models import Notification
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity import services
from datasecurity.bench.monitor import append_chained_events
from datasecurity.models import (
    AuditEvent,
    SecurityAlert,
    SecurityHourlyCount,
    SecurityMonitoringPolicy,
    SecurityWatchedEvent,
)
from datasecurity.rules.actions import AUDIT_ACTION_LABELS
from datasecurity.rules.monitor import action_category, sensitive_records, watched_actions

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def day():
    return timezone.localdate() - datetime.timedelta(days=3)


@pytest.mark.parametrize(
    ("action", "category"),
    [
        ("auth.login_failed", "sign_in_failure"),
        ("auth.lockout", "sign_in_failure"),
        ("security.permission_denied", "permission_denied"),
        ("security.permission_denied_bound", "permission_denied"),
        ("directory.export", "export"),
        ("audit.export_download", "export"),
        ("bonus_sheet.export_request", "export"),
        ("complaint.statistics_export", "export"),
        ("complaint.contact_reveal", "contact_reveal"),
        ("policy.version_create", "policy_change"),
        ("auth.login", "sign_in"),
        ("employee.update", None),
        ("punch.record", None),
    ],
)
def test_each_action_falls_in_its_category(action, category):
    assert action in AUDIT_ACTION_LABELS
    assert action_category(action) == category


def test_every_export_of_the_registry_is_watched():
    exports = [code for code in AUDIT_ACTION_LABELS if "export" in code.rpartition(".")[2]]
    assert exports and set(exports) <= set(watched_actions(AUDIT_ACTION_LABELS))


@pytest.mark.parametrize(
    ("action", "changes", "records"),
    [
        ("directory.export", {"rows": 120}, 120),
        ("audit.export", {"rows": 0}, 0),
        ("attendance.summary_export", {}, 1),
        ("bonus_sheet.export_request", {"rows": 500}, 0),  # read at its download, not when asked
        ("audit.export_tampered", {}, 0),
        ("complaint.contact_reveal", {"fields": ["phone"]}, 1),
        ("auth.login", {}, 0),
    ],
)
def test_sensitive_records_count_rows_read(action, changes, records):
    assert sensitive_records(action, changes) == records


def test_each_category_is_detected_from_the_real_writers(org, client):
    # given a failed sign-in, a lockout's event, a denial over HTTP, an export, a contact reveal,
    # a policy change and an ordinary change
    services.audit_sign_in_failure_record(username="agent")
    services.audit_record(actor=None, action="auth.lockout", changes={"username": "agent"})
    client.force_login(org.agent.user)
    assert client.get("/security/").status_code == 403
    services.audit_export(actor=org.auditor.user, filters={}, fmt="csv")
    services.audit_record(actor=org.handler.user, action="complaint.contact_reveal", changes={"fields": ["phone"]})
    services.audit_record(actor=org.hr.user, action="policy.version_create", object_type="x.policy")
    services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)
    # when the job runs
    result = services.security_monitor_scan()
    # then each is watched in its category, the ordinary change is not
    got = Counter(SecurityWatchedEvent.objects.values_list("category", flat=True))
    assert got["sign_in_failure"] == 2
    assert got["permission_denied"] == 1
    assert got["export"] == 1
    assert got["contact_reveal"] == 1
    assert got["policy_change"] == 1
    assert sum(got.values()) == result.watched == 6
    denial = SecurityWatchedEvent.objects.select_related("event").get(category="permission_denied")
    assert denial.actor_id == org.agent.user.pk and denial.event.changes["path"] == "/security/"
    # and a second run finds nothing new (idempotent)
    assert services.security_monitor_scan().watched == 0
    assert SecurityWatchedEvent.objects.count() == 6


def _direct_counts() -> Counter:
    """What the hourly counts must say, counted from the audit events themselves."""
    counts: Counter = Counter()
    for action, occurred_at, changes in AuditEvent.objects.values_list("action", "occurred_at", "changes"):
        category = action_category(action)
        if category is None:
            continue
        hour = occurred_at.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
        counts[(hour, category, "events")] += 1
        counts[(hour, category, "records")] += sensitive_records(action, changes)
    return counts


def test_the_hourly_counts_are_kept_incrementally_and_equal_the_events(org, day):
    # given events over two days in several hours, appended in four rounds, the job running after
    # each round in batches of 3 ids
    users = [org.agent.user, org.hr.user, org.handler.user, None]
    actions = ["auth.login_failed", "directory.export", "complaint.contact_reveal", "punch.record", "auth.login"]
    for round_ in range(4):
        specs = []
        for i in range(13):
            action = actions[(i + round_) % len(actions)]
            when = local(day, 5 + (i * 3 + round_) % 18, (i * 7) % 60) + datetime.timedelta(days=round_ % 2)
            changes = {"rows": 10 + i} if action.endswith("export") else {}
            specs.append((when, users[i % len(users)], action, changes))
        append_chained_events(sorted(specs, key=lambda s: s[0]))
        services.security_monitor_scan(batch_size=3)
    # then the hourly counts equal counting the events directly
    direct = _direct_counts()
    kept: Counter = Counter()
    for row in SecurityHourlyCount.objects.exclude(category="after_hours"):
        kept[(row.hour, row.category, "events")] += row.events
        kept[(row.hour, row.category, "records")] += row.records
    assert +kept == +direct
    assert SecurityWatchedEvent.objects.count() == sum(v for (_h, _c, kind), v in direct.items() if kind == "events")
    # and the after-hours count equals the flagged events
    flagged = SecurityWatchedEvent.objects.filter(after_hours=True).count()
    assert SecurityHourlyCount.objects.filter(category="after_hours").aggregate(n=Sum("events"))["n"] == flagged > 0


@pytest.mark.parametrize(
    ("hour", "minute", "after"),
    [(6, 59, True), (7, 0, False), (12, 0, False), (21, 59, False), (22, 0, True), (0, 30, True)],
)
def test_after_hours_follows_the_working_hours_at_their_boundaries(org, day, hour, minute, after):
    # given the default working hours 07:00-22:00 and a sign-in, a contact reveal and a failed
    # sign-in at the same local time
    when = local(day, hour, minute)
    append_chained_events(
        [
            (when, org.agent.user, "auth.login", {}),
            (when, org.handler.user, "complaint.contact_reveal", {}),
            (when, None, "auth.login_failed", {}),
        ]
    )
    services.security_monitor_scan()
    # then the sign-in and the reveal are after-hours access exactly outside them; a failed
    # sign-in is not access
    flags = dict(SecurityWatchedEvent.objects.values_list("category", "after_hours"))
    assert flags == {"sign_in": after, "contact_reveal": after, "sign_in_failure": False}


def test_after_hours_uses_the_policy_in_force(org, day):
    SecurityMonitoringPolicy.objects.create(
        effective_from=day - datetime.timedelta(days=1), working_hours_start=9, working_hours_end=18
    )
    append_chained_events(
        [(local(day, 8, 30), org.agent.user, "auth.login", {}), (local(day, 17, 59), org.agent.user, "auth.login", {})]
    )
    services.security_monitor_scan()
    assert list(SecurityWatchedEvent.objects.order_by("occurred_at").values_list("after_hours", flat=True)) == [
        True,
        False,
    ]


def _reads(user, when, *row_counts):
    return [
        (when + datetime.timedelta(minutes=i), user, "directory.export", {"rows": n}) for i, n in enumerate(row_counts)
    ]


@pytest.mark.parametrize(("rows", "alerts"), [(200, 0), (201, 1)])
def test_more_than_the_threshold_in_an_hour_alerts(org, day, rows, alerts):
    # given the default threshold of 200 records per user per hour
    append_chained_events(_reads(org.hr.user, local(day, 10, 5), rows - 1, 1))
    services.security_monitor_scan()
    assert SecurityAlert.objects.count() == alerts


def test_a_bulk_read_alerts_the_auditors_once_per_user_and_hour(org, day):
    second_auditor = f.UserFactory(username="auditor2", roles=[Role.SECURITY_AUDITOR])
    # given HR reads 150 rows, the job runs, then 100 more rows in the same clock hour
    append_chained_events(_reads(org.hr.user, local(day, 10, 5), 150))
    services.security_monitor_scan()
    assert not SecurityAlert.objects.exists()
    append_chained_events(_reads(org.hr.user, local(day, 10, 40), 60, 40))
    services.security_monitor_scan()
    # then one alert for HR in 10:00-11:00 with the whole hour's count
    alert = SecurityAlert.objects.get()
    assert alert.subject == org.hr.user and alert.count == 250 and alert.events == 3 and alert.threshold == 200
    assert timezone.localtime(alert.window_start, ZONE) == local(day, 10)
    assert alert.state == "open"
    # and each auditor is told once, in the app (e-mail after commit), the raise is audited
    told = Notification.objects.filter(kind="security.alert")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([org.auditor.user.pk, second_auditor.pk])
    assert AuditEvent.objects.filter(action="security.alert_raise", object_id=str(alert.pk)).count() == 1
    # when more reads come in the same hour and the job runs again
    append_chained_events(_reads(org.hr.user, local(day, 10, 55), 30))
    services.security_monitor_scan()
    services.security_monitor_scan()
    # then still one alert, brought up to date, and nobody told twice
    alert.refresh_from_db()
    assert SecurityAlert.objects.count() == 1 and alert.count == 280 and alert.events == 4
    assert told.count() == 2
    # and the next hour is a new alert
    append_chained_events(_reads(org.hr.user, local(day, 11, 1), 201))
    services.security_monitor_scan()
    assert SecurityAlert.objects.filter(subject=org.hr.user).count() == 2
    assert told.count() == 4


def test_an_auditor_is_not_told_of_an_alert_about_themselves(org, day):
    append_chained_events(_reads(org.auditor.user, local(day, 14, 0), 300))
    services.security_monitor_scan()
    alert = SecurityAlert.objects.get()
    assert alert.subject == org.auditor.user
    assert not Notification.objects.filter(kind="security.alert", recipient=org.auditor.user).exists()


def test_reads_of_different_users_in_one_hour_are_not_added_together(org, day):
    append_chained_events(_reads(org.hr.user, local(day, 9, 0), 150) + _reads(org.handler.user, local(day, 9, 30), 150))
    services.security_monitor_scan()
    assert not SecurityAlert.objects.exists()


def test_a_purged_event_leaves_the_lists_but_not_the_counts(org):
    # given a sign-in 300 days ago, counted, and a newer event
    old = timezone.now() - datetime.timedelta(days=300)
    append_chained_events([(old, org.agent.user, "auth.login", {}), (old, None, "punch.record", {})])
    services.security_monitor_scan()
    assert SecurityWatchedEvent.objects.count() == 1
    # when the audit retention (SEC-2, 180 days) deletes the old events and the job runs
    assert services.audit_retention_purge().purged >= 1
    services.security_monitor_scan()
    # then the sign-in leaves the lists, and the counts (which name nobody) stay
    assert not SecurityWatchedEvent.objects.exists()
    assert SecurityHourlyCount.objects.get(category="sign_in").events == 1
