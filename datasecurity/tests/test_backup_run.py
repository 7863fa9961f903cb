"""Backups and restore drills (SEC-1), with the real tools: pg_dump and pg_restore against the test
PostgreSQL, the remote location on the suite's sshd (``sftp_remote``), AES-256-GCM bundles.

Given a plan and two locations, when a backup runs, then both copies are written, read back and
their SHA-256 compared; a drill restores the remote copy into a scratch database and checks it.
Every failure (a flipped byte, a missing copy, a wrong key, an unreachable location, a manifest
that does not match) is detected, recorded, alerted, and nothing older is pruned."""

import base64
import datetime
import os
import zoneinfo
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone, translation

from callcenter.models import Notification
from callcenter.roles import Role
from callcenter.storage_locations import storage_from_url
from callcenter.tests import factories as f
from datasecurity.apps import _backup_key_check
from datasecurity.models import (
    AuditEvent,
    BackupPlan,
    BackupRun,
    BackupRunStatus,
    DestructionRecord,
    RestoreDrill,
    RestoreDrillResult,
)
from datasecurity.rules.backup import backup_due
from datasecurity.services import backup_run_due, backup_run_execute, restore_drill_due, restore_drill_execute
from datasecurity.services.backup import SCRATCH_PREFIX, _drill_create, _run_create


@pytest.fixture
def uploads(settings, tmp_path):
    """A public and a private upload, as MEDIA_ROOT and PRIVATE_MEDIA_ROOT hold them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "certificates").mkdir(parents=True)
    (settings.MEDIA_ROOT / "certificates" / "award.pdf").write_bytes(b"%PDF-1.7 award")
    (settings.PRIVATE_MEDIA_ROOT / "leave").mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "leave" / "sick-note.png").write_bytes(b"\x89PNG sick note")
    return settings


@pytest.fixture
def alerted(db):
    """An administrator and a security auditor, who receive the alerts; an agent who does not."""
    admin = f.UserFactory(username="ops-admin", is_staff=True, email="ops@example.com")
    auditor = f.UserFactory(username="sec-auditor", email="sec@example.com", roles=[Role.SECURITY_AUDITOR])
    agent = f.UserFactory(username="plain-agent")
    return admin, auditor, agent


def backup():
    run = _run_create(actor=None, trigger="command")
    return backup_run_execute(run_id=run.pk)


def drill(run):
    return restore_drill_execute(drill_id=_drill_create(actor=None, backup_id=run.pk, trigger="command").pk)


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [SCRATCH_PREFIX + "%"])
        return [row[0] for row in cursor.fetchall()]


def test_a_backup_goes_to_both_locations_and_a_drill_proves_it(uploads, sftp_remote, sftp_server, alerted):
    run = backup()
    assert run.status == BackupRunStatus.SUCCEEDED, run.error
    assert run.method == "pg_dump" and run.size > 0 and len(run.sha256) == 64
    assert [loc["storage"] for loc in run.locations] == ["backup_local", "backup_remote"]
    assert all(loc["ok"] and loc["sha256"] == run.sha256 for loc in run.locations)
    assert run.locations[1]["label"].startswith("sftp://")
    # The remote copy is on the SFTP server's disk, encrypted (no plaintext dump header there).
    on_disk = Path(urlsplit(sftp_remote).path) / run.name
    data = on_disk.read_bytes()
    assert data[:4] == b"CCBK" and b"PGDMP" not in data[:4096]
    assert storages["backup_local"].exists(run.name)
    assert run.manifest["row_counts"]["django_migrations"] == len(run.manifest["migrations"]) > 0
    assert run.files_count == 2

    proven = drill(run)
    assert proven.result == RestoreDrillResult.PASSED, proven.checks
    assert [c["code"] for c in proven.checks] == [
        "copy",
        "checksum",
        "decrypt",
        "manifest",
        "restore",
        "migrations",
        "row_counts",
        "audit_chain",
        "files",
    ]
    assert "verified" in next(c for c in proven.checks if c["code"] == "audit_chain")["detail"]
    assert proven.location.startswith("sftp://")
    assert proven.scratch_database.startswith(SCRATCH_PREFIX)
    assert proven.scratch_database not in _scratch_databases()  # dropped afterwards
    assert not Notification.objects.filter(kind__startswith="backup.").exists()


def _failed_drill_is_recorded_and_alerted(result, alerted, code):
    admin, auditor, _agent = alerted
    assert result.result == RestoreDrillResult.FAILED
    failing = [c["code"] for c in result.checks if not c["ok"]]
    assert failing and failing[0] == code, result.checks
    assert code in result.error
    notified = set(Notification.objects.filter(kind="backup.drill_failed").values_list("recipient_id", flat=True))
    assert notified == {admin.pk, auditor.pk}
    assert not _scratch_databases() or result.scratch_database not in _scratch_databases()


def test_a_flipped_byte_in_the_remote_copy_fails_the_checksum(uploads, sftp_remote, alerted):
    run = backup()
    path = Path(urlsplit(sftp_remote).path) / run.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    _failed_drill_is_recorded_and_alerted(drill(run), alerted, "checksum")


def test_a_missing_remote_copy_is_detected_and_alerted_by_email(
    uploads, alerted, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    run = backup()
    storages["backup_remote"].delete(run.name)
    with django_capture_on_commit_callbacks(execute=True):
        result = drill(run)
    _failed_drill_is_recorded_and_alerted(result, alerted, "copy")
    assert sorted(m.to[0] for m in mailoutbox) == ["ops@example.com", "sec@example.com"]
    assert all(f"{run.pk}" in m.subject for m in mailoutbox)


def test_a_wrong_key_is_detected(uploads, settings, alerted):
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    run = backup()
    settings.BACKUP_ENCRYPTION_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
    result = drill(run)
    _failed_drill_is_recorded_and_alerted(result, alerted, "decrypt")
    assert "wrong key" in result.error


def test_a_tampered_manifest_fails_the_restore_checks(uploads, alerted):
    run = backup()
    counts = dict(run.manifest["row_counts"])
    counts["django_migrations"] += 1
    BackupRun.objects.filter(pk=run.pk).update(manifest={**run.manifest, "row_counts": counts})
    run.refresh_from_db()
    result = drill(run)
    _failed_drill_is_recorded_and_alerted(result, alerted, "manifest")
    row_counts = next(c for c in result.checks if c["code"] == "row_counts")
    assert not row_counts["ok"] and "django_migrations" in row_counts["detail"]
    assert next(c for c in result.checks if c["code"] == "restore")["ok"]


def test_an_unreachable_remote_fails_the_backup_and_prunes_nothing(uploads, settings, sftp_server, alerted):
    settings.BACKUP_REMOTE_URL = sftp_server.url(sftp_server.files_root / "gone").replace(
        f":{sftp_server.port}/", ":1/"
    )
    settings.STORAGES = {**settings.STORAGES, "backup_remote": storage_from_url(settings.BACKUP_REMOTE_URL)}
    older = [
        BackupRun.objects.create(
            plan_id=BackupPlan.objects.get_or_create(pk=1)[0].pk,
            trigger="command",
            method="pg_dump",
            status="succeeded",
            name=f"backups/old-{i}.ccbk",
            sha256="0" * 64,
            finished_at=timezone.now(),
        )
        for i in range(3)
    ]
    BackupPlan.objects.filter(pk=1).update(keep_count=2)
    run = backup()
    assert run.status == BackupRunStatus.FAILED
    assert "[copies]" in run.error and ":1" in run.error
    assert run.locations[0]["ok"] and not run.locations[1]["ok"]
    assert BackupRun.objects.filter(pk__in=[o.pk for o in older], pruned_at__isnull=True).count() == 3
    admin, auditor, _agent = alerted
    notified = set(Notification.objects.filter(kind="backup.failed").values_list("recipient_id", flat=True))
    assert notified == {admin.pk, auditor.pk}


@translation.override("en")  # the messages read in English (the product's default is Chinese)
def test_production_without_a_key_fails_with_a_clear_message(uploads, settings, alerted):
    settings.PRODUCTION = True
    settings.BACKUP_ENCRYPTION_KEY = ""
    run = backup()
    assert run.status == BackupRunStatus.FAILED
    assert "BACKUP_ENCRYPTION_KEY is not set" in run.error
    assert not AuditEvent.objects.filter(action="backup.prune").exists()


def _stored(name: str, *, days_ago: int) -> BackupRun:
    """An older backup whose bundle is in both locations."""
    for storage_name in ("backup_local", "backup_remote"):
        storages[storage_name].save(name, ContentFile(b"old bundle"))
        storages[storage_name].save(f"{name}.sha256", ContentFile(b"x"))
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return BackupRun.objects.create(
        plan=BackupPlan.objects.get_or_create(pk=1)[0],
        trigger="schedule",
        method="pg_dump",
        status="succeeded",
        name=name,
        sha256="0" * 64,
        requested_at=when,
        finished_at=when,
    )


def test_pruning_keeps_the_number_and_never_the_last_proven_backup(db, uploads):
    # given four stored backups, the oldest the only one proven by a restore, and a plan keeping 2
    oldest = _stored("backups/backup-1.ccbk", days_ago=4)
    RestoreDrill.objects.create(backup=oldest, trigger="schedule", result=RestoreDrillResult.PASSED)
    middle = [_stored(f"backups/backup-{i}.ccbk", days_ago=5 - i) for i in (2, 3)]
    newest_old = _stored("backups/backup-4.ccbk", days_ago=1)
    BackupPlan.objects.filter(pk=1).update(keep_count=2)
    # when a backup succeeds
    run = backup()
    assert run.status == BackupRunStatus.SUCCEEDED, run.error
    # then the two newest stay, the proven one stays, the others are deleted from both locations
    kept = set(BackupRun.objects.filter(pruned_at__isnull=True).values_list("pk", flat=True))
    assert kept == {run.pk, newest_old.pk, oldest.pk}
    for pruned in middle:
        for storage_name in ("backup_local", "backup_remote"):
            assert not storages[storage_name].exists(pruned.name)
            assert not storages[storage_name].exists(f"{pruned.name}.sha256")
    assert storages["backup_remote"].exists(oldest.name)
    event = AuditEvent.objects.get(action="backup.prune")
    assert sorted(event.changes["pruned"]) == sorted(m.pk for m in middle)
    # SEC-4: the pruned backups are in the destruction register, the job as responsible
    record = DestructionRecord.objects.get(category="backups")
    assert (record.quantity, record.method, record.responsible_id) == (2, "file_delete", None)
    assert sorted(record.details["backups"]) == sorted(m.pk for m in middle) and record.responsible_label


@pytest.mark.parametrize(
    ("schedule", "now", "last", "due"),
    [
        # daily at 02:30 local (Asia/Shanghai)
        ("daily", "2026-12-07 02:29", None, True),  # never made: the slot of the day before is due
        ("daily", "2026-12-07 02:29", "2026-12-06 02:30", False),
        ("daily", "2026-12-07 02:30", "2026-12-06 02:30", True),
        ("daily", "2026-12-07 02:31", "2026-12-07 02:30", False),
        ("daily", "2026-12-07 23:59", "2026-12-07 02:30", False),
        # every 6 hours
        ("interval", "2026-12-07 08:29", "2026-12-07 02:30", False),
        ("interval", "2026-12-07 08:30", "2026-12-07 02:30", True),
        ("interval", "2026-12-07 08:30", None, True),
    ],
)
def test_a_backup_is_due_by_the_plan(schedule, now, last, due):
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")

    def at(text):
        return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone) if text else None

    assert (
        backup_due(
            now=at(now), schedule=schedule, daily_at=datetime.time(2, 30), interval_hours=6, last_requested_at=at(last)
        )
        is due
    )


def test_the_scheduled_check_makes_a_backup_only_when_due_and_drills_it(db, uploads):
    assert backup_run_due() is not None  # never made: due
    assert backup_run_due() is None  # made in this slot
    drill_made = restore_drill_due()
    assert drill_made.result == RestoreDrillResult.PASSED, drill_made.checks
    assert restore_drill_due() is None  # every stored backup drilled


@pytest.mark.parametrize(
    ("production", "key", "warned"),
    [
        (True, "", "is not set"),
        (True, "not-base64-of-32-bytes", "is not valid"),
        (True, base64.urlsafe_b64encode(b"k" * 32).decode(), None),
        (False, "", None),  # development derives one from SECRET_KEY
    ],
)
def test_the_deploy_check_warns_when_production_has_no_valid_key(settings, production, key, warned):
    settings.PRODUCTION = production
    settings.BACKUP_ENCRYPTION_KEY = key
    messages = [w.msg for w in _backup_key_check(None)]
    if warned is None:
        assert messages == []
    else:
        assert len(messages) == 1 and warned in messages[0]


@translation.override("en")
def test_the_commands_make_a_backup_and_verify_it(db, uploads):
    out = StringIO()
    call_command("backup_run", stdout=out)
    run = BackupRun.objects.get()
    assert f"Backup {run.pk} made" in out.getvalue() and run.trigger == "command"
    out = StringIO()
    call_command("backup_verify", "--backup", str(run.pk), stdout=out)
    assert f"Backup {run.pk} is proven restorable" in out.getvalue()
    assert "[ok  ] Audit chain verifies in the restored copy" in out.getvalue()
    # a drill that fails its checks exits 1 with the failing check named
    storages["backup_remote"].delete(run.name)
    with pytest.raises(CommandError, match="FAILED"):
        call_command("backup_verify", stdout=StringIO())
    # the bad-day list reads the location, not the database
    out = StringIO()
    call_command("backup_restore", "--list", "--from", "backup_local", stdout=out)
    assert run.name in out.getvalue()
