"""Backup pages and API (SEC-1): administrators (staff) keep the plan and start backups and drills;
security auditors read the backups and drills; everyone else is refused (403, or the login page)."""

import datetime

import pytest
from django.urls import reverse

from callcenter.models import User
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent, BackupPlan, BackupRun, RestoreDrill

READ_PAGES = ["datasecurity:backup_list", "datasecurity:backup_state", "datasecurity:restore_drill_list"]
ADMIN_PAGES = ["datasecurity:backup_plan_edit"]
READ_API = ["api:datasecurity:backup_list", "api:datasecurity:restore_drill_list"]
OTHER_ROLES = ["agent", "supervisor", "manager", "leader", "hr", "handler"]


@pytest.fixture
def admin(org):
    user = User.objects.get(pk=org.other_dept.user_id)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _backup(**fields):
    plan = BackupPlan.objects.get_or_create(pk=1)[0]
    defaults = {
        "plan": plan,
        "trigger": "command",
        "method": "pg_dump",
        "status": "succeeded",
        "name": "backups/backup-x.ccbk",
        "sha256": "a" * 64,
        "size": 1234,
        "finished_at": datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        "locations": [
            {"storage": "backup_local", "label": "/srv/b", "ok": True, "sha256": "a" * 64, "error": ""},
            {"storage": "backup_remote", "label": "sftp://b@vault/srv", "ok": True, "sha256": "a" * 64, "error": ""},
        ],
    }
    return BackupRun.objects.create(**{**defaults, **fields})


@pytest.mark.parametrize("name", READ_PAGES + ADMIN_PAGES + READ_API)
def test_role_matrix(client, org, admin, name):
    client.force_login(admin)
    assert client.get(reverse(name)).status_code == 200
    client.force_login(org.auditor.user)
    assert client.get(reverse(name)).status_code == (403 if name in ADMIN_PAGES else 200)
    for role in OTHER_ROLES:
        client.force_login(getattr(org, role).user)
        assert client.get(reverse(name)).status_code == 403, role
    client.logout()
    assert client.get(reverse(name)).status_code in (302, 401, 403)


def test_only_administrators_start_backups_and_drills(client, org, admin):
    run = _backup()
    for user in [org.auditor.user, org.hr.user, org.leader.user]:
        client.force_login(user)
        assert client.post(reverse("datasecurity:backup_start")).status_code == 403
        assert client.post(reverse("datasecurity:restore_drill_start"), {"backup": run.pk}).status_code == 403
        assert client.post(reverse("api:datasecurity:backup_list")).status_code == 403
        assert client.post(reverse("api:datasecurity:restore_drill_list"), {"backup": run.pk}).status_code == 403
    assert not BackupRun.objects.exclude(pk=run.pk).exists()
    assert not RestoreDrill.objects.exists()


def test_detail_endpoints(client, org, admin):
    run = _backup()
    drill = RestoreDrill.objects.create(
        backup=run, trigger="command", result="passed", checks=[{"code": "checksum", "ok": True, "detail": "x"}]
    )
    client.force_login(org.auditor.user)
    body = client.get(reverse("api:datasecurity:backup_detail", args=[run.pk])).json()
    assert body["proven"] is True and body["sha256"] == "a" * 64 and len(body["locations"]) == 2
    body = client.get(reverse("api:datasecurity:restore_drill_detail", args=[drill.pk])).json()
    assert body["result"] == "passed" and body["checks"][0]["code"] == "checksum"
    assert client.get(reverse("api:datasecurity:backup_detail", args=[run.pk + 99])).status_code == 404
    client.force_login(org.hr.user)
    assert client.get(reverse("api:datasecurity:backup_detail", args=[run.pk])).status_code == 403


def test_the_list_shows_locations_checksums_and_restore_status_in_bounded_queries(
    client, org, admin, django_assert_max_num_queries
):
    proven = _backup(name="backups/one.ccbk")
    RestoreDrill.objects.create(backup=proven, trigger="schedule", result="passed")
    failed = _backup(name="backups/two.ccbk")
    RestoreDrill.objects.create(backup=failed, trigger="schedule", result="failed", error="row_counts: x")
    for i in range(25):
        _backup(name=f"backups/n{i}.ccbk")
    f.reads_english(org.other_dept)
    client.force_login(admin)
    with django_assert_max_num_queries(16):
        html = client.get(reverse("datasecurity:backup_list")).content.decode()
    assert "sftp://b@vault/srv" in html and "/srv/b" in html
    assert "Page 1 of 2" in html
    html = client.get(reverse("datasecurity:backup_list") + "?page=2").content.decode()
    assert f'data-backup="{proven.pk}"' in html and 'data-proven="yes"' in html
    assert 'data-proven="failed"' in html
    # the default locations of `make run` are two directories of this host: the page says so
    assert 'id="backup-same-host"' in html
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:datasecurity:backup_list")).json()["count"] == 27


def test_the_plan_has_defaults_and_an_administrator_edits_it_audited(client, org, admin):
    f.reads_english(org.other_dept)
    client.force_login(admin)
    html = client.get(reverse("datasecurity:backup_list")).content.decode()
    assert "Daily at 02:30" in html and "Nobody named yet" in html
    response = client.post(
        reverse("datasecurity:backup_plan_edit"),
        {
            "schedule": "interval",
            "daily_at": "02:30",
            "interval_hours": "6",
            "keep_count": "5",
            "responsible": org.other_dept.employee_no,
        },
    )
    assert response.status_code == 302
    plan = BackupPlan.objects.get(pk=1)
    assert (plan.schedule, plan.interval_hours, plan.keep_count, plan.responsible) == ("interval", 6, 5, org.other_dept)
    event = AuditEvent.objects.get(action="backup.plan_update")
    assert event.actor == admin and event.changes["keep_count"] == [7, 5]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("keep_count", "1", "greater than or equal to 2"),
        ("interval_hours", "0", "greater than or equal to 1"),
        ("responsible", "NO-SUCH", "No active employee has the number NO-SUCH"),
        ("daily_at", "25:99", "Enter a valid time"),
    ],
)
def test_bad_plan_input_is_refused_with_a_message_and_changes_nothing(client, org, admin, field, value, message):
    f.reads_english(org.other_dept)
    client.force_login(admin)
    data = {"schedule": "daily", "daily_at": "03:00", "interval_hours": "24", "keep_count": "7", "responsible": ""}
    response = client.post(reverse("datasecurity:backup_plan_edit"), {**data, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BackupPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="backup.plan_update").exists()


def test_start_buttons_queue_and_a_second_backup_is_refused(client, org, admin, django_capture_on_commit_callbacks):
    f.reads_english(org.other_dept)
    client.force_login(admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("datasecurity:backup_start"), follow=True)
    assert len(callbacks) == 1  # the task, sent after commit
    run = BackupRun.objects.get()
    assert run.status == "queued" and run.requested_by == admin and run.trigger == "manual"
    html = response.content.decode()
    assert "The backup is queued" in html and 'data-polling="true"' in html
    assert AuditEvent.objects.filter(action="backup.request", actor=admin).exists()
    response = client.post(reverse("datasecurity:backup_start"), follow=True)
    assert "A backup is already queued or running" in response.content.decode()
    assert BackupRun.objects.count() == 1
    assert client.post(reverse("api:datasecurity:backup_list")).json()["code"] == "backup_busy"


def test_a_drill_of_a_missing_or_bad_backup_is_refused(client, org, admin):
    f.reads_english(org.other_dept)
    client.force_login(admin)
    response = client.post(reverse("datasecurity:restore_drill_start"), follow=True)
    assert "No stored backup to verify" in response.content.decode()
    response = client.post(reverse("datasecurity:restore_drill_start"), {"backup": "x"}, follow=True)
    assert "Choose a backup." in response.content.decode()
    assert client.post(reverse("api:datasecurity:restore_drill_list"), {"backup": 999}).status_code == 404
    assert not RestoreDrill.objects.exists()


def test_the_health_page_shows_the_backups_line(client, org, admin):
    f.reads_english(org.other_dept)
    client.force_login(admin)
    html = client.get(reverse("callcenter:health")).content.decode()
    assert 'data-check="backups"' in html and "No backup has been made yet" in html
    _backup(status="failed", sha256="", name="", error="[copies] sftp://x: OSError")
    html = client.get(reverse("callcenter:health")).content.decode()
    assert "OSError" in html and "Backups and restore drills (SEC-1)" in html
