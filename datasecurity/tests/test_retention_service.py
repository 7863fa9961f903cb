"""Audit retention with signed archives (SEC-2), on PostgreSQL with the production roles (the
test database's set-up, conftest ``django_db_setup``): the events past the retention are
archived to both backup locations (each test its own two directories; one test on the real SFTP
server), read back, and only then deleted by the owner role's function; the archives verify, and
any alteration is named."""

import datetime
import gzip
import json
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation

from callcenter.models import JobRun, Notification
from callcenter.storage_locations import storage_from_url
from datasecurity import tasks
from datasecurity.append_only import AUDIT_PURGE_FUNCTION, audit_purge_function_upgrade
from datasecurity.models import (
    AuditArchive,
    AuditArchiveStatus,
    AuditChainHead,
    AuditEvent,
    AuditPolicy,
    DestructionRecord,
)
from datasecurity.rules.retention import archive_read
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_record, audit_retention_purge
from datasecurity.services.retention import _archive_write, _boundary, _retention_in_force

pytestmark = pytest.mark.django_db


def _record(n, *, days_ago=0, hours=0, action="test.event"):
    at = timezone.now() - datetime.timedelta(days=days_ago, hours=hours)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return [audit_record(actor=None, action=action, object_id=i, changes={"n": i, "名": "值"}) for i in range(n)]


def _read(archive, location="backup_local"):
    with storages[location].open(archive.stored_name, "rb") as handle:
        return handle.read()


def _verify_ok():
    report = audit_chain_verify()
    assert report.ok, report.problems
    return report


def test_old_events_are_archived_to_both_locations_then_deleted_and_the_evidence_stays_whole():
    # given five events past the 180 days (SEC-2) and two younger ones
    old = _record(3, days_ago=400) + _record(2, days_ago=181)
    young = _record(1, days_ago=179) + _record(1)
    # when the retention runs
    result = audit_retention_purge()
    # then the old events are in one archive, in both locations, and gone from the database
    assert (result.archived, result.purged, result.retention_days) == (5, 5, 180)
    archive = AuditArchive.objects.get()
    assert archive.status == AuditArchiveStatus.DELETED and archive.deleted_count == 5
    assert (archive.first_event_id, archive.last_event_id, archive.event_count) == (old[0].pk, old[-1].pk, 5)
    assert archive.first_prev_hash == old[0].prev_hash and archive.last_hash == old[-1].hash
    assert archive.locations == ["backup_local", "backup_remote"]
    assert _read(archive, "backup_local") == _read(archive, "backup_remote")
    assert archive.size == len(_read(archive))
    assert set(AuditEvent.objects.filter(action="test.event").values_list("pk", flat=True)) == {e.pk for e in young}
    # the file holds the events exactly as stored, then the signed checkpoint
    lines = gzip.decompress(_read(archive)).decode().splitlines()
    events = [json.loads(line) for line in lines[:-1]]
    assert [e["id"] for e in events] == [e.pk for e in old]
    assert events[0]["hash"] == old[0].hash and events[0]["prev_hash"] == old[0].prev_hash
    assert events[0]["changes"] == {"n": 0, "名": "值"}
    footer = json.loads(lines[-1])
    assert footer["signature"] == archive.signature and footer["event_count"] == 5
    with storages["backup_remote"].open(archive.stored_name, "rb") as handle:
        assert archive_read(handle).ok
    # the live chain begins where the archive ends, and the deletion is audited
    assert AuditChainHead.objects.get(pk=1).anchor_hash == archive.last_hash
    purge = AuditEvent.objects.filter(action="audit.retention_purge").get()
    assert purge.changes["purged"] == 5 and purge.changes["archive"] == archive.stored_name
    assert purge.object_type == "datasecurity.auditarchive" and purge.object_id == str(archive.pk)
    report = _verify_ok()
    assert [check.archive.pk for check in report.archives] == [archive.pk]
    # SEC-4: the run is in the destruction register, with the job as responsible
    record = DestructionRecord.objects.get(category="audit_events")
    assert (record.quantity, record.method, record.responsible_id) == (5, "archive_delete", None)
    assert record.responsible_label and record.details["archive"] == archive.stored_name
    # a second run destroys nothing and records nothing
    audit_retention_purge()
    assert DestructionRecord.objects.filter(category="audit_events").count() == 1


@pytest.mark.parametrize(
    ("age", "archived"),
    [
        (datetime.timedelta(days=180, minutes=5), True),
        (datetime.timedelta(days=179, hours=23, minutes=55), False),
    ],
)
def test_the_retention_boundary_is_exactly_the_policy_days(age, archived):
    """SEC-2 at its boundary: 180 days and 5 minutes old goes, 5 minutes short of 180 days stays."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - age):
        event = audit_record(actor=None, action="test.boundary")
    audit_record(actor=None, action="test.today")
    audit_retention_purge()
    assert AuditEvent.objects.filter(pk=event.pk).exists() is not archived


def test_a_longer_policy_keeps_more_and_the_floor_is_180_days():
    AuditPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), audit_retention_days=365)
    _record(1, days_ago=400)
    kept = _record(1, days_ago=300)
    _record(1)
    result = audit_retention_purge()
    assert (result.purged, result.retention_days) == (1, 365)
    assert AuditEvent.objects.filter(pk=kept[0].pk).exists()
    assert _retention_in_force()[0] == 365


def test_a_backlog_is_archived_in_batches_that_chain_into_each_other():
    # given seven old events and archives of at most three
    old = _record(7, days_ago=300)
    _record(1)
    result = audit_retention_purge(max_events=3)
    # then three archives, each deleted on its own, chaining into each other and into the head
    archives = list(AuditArchive.objects.order_by("first_event_id"))
    assert [a.event_count for a in archives] == [3, 3, 1] and result.purged == 7
    assert archives[0].first_event_id == old[0].pk and archives[-1].last_event_id == old[-1].pk
    assert archives[0].last_hash == archives[1].first_prev_hash
    assert AuditEvent.objects.filter(action="audit.retention_purge").count() == 3
    assert len(_verify_ok().archives) == 3


def test_running_again_archives_and_deletes_nothing_twice():
    _record(4, days_ago=300)
    _record(1)
    first = audit_retention_purge()
    again = audit_retention_purge()
    assert (first.purged, again.purged, again.archived) == (4, 0, 0)
    assert AuditArchive.objects.count() == 1
    _verify_ok()


def test_a_run_killed_after_archiving_only_deletes_when_run_again():
    # given a run that wrote and recorded its archive, then died before deleting
    old = _record(4, days_ago=300)
    _record(1)
    days, cutoff = _retention_in_force()
    archive = _archive_write(first_id=old[0].pk, boundary=_boundary(cutoff), days=days, max_events=100)
    assert archive.status == AuditArchiveStatus.VERIFIED
    assert AuditEvent.objects.filter(action="test.event").count() == 5
    # the verification meanwhile finds the archive and the live chain in agreement
    _verify_ok()
    # when the retention runs again, then it archives nothing and deletes the same events once
    result = audit_retention_purge()
    assert (result.archived, result.purged) == (0, 4)
    assert AuditArchive.objects.get().status == AuditArchiveStatus.DELETED
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(action="audit.retention_purge").count() == 1
    _verify_ok()


def test_an_archive_the_retention_grew_past_keeps_its_events_and_nothing_overlaps_it():
    # given an archive made under 180 days, then a retention of 365 days (its events now kept)
    old = _record(3, days_ago=300)
    _record(1)
    days, cutoff = _retention_in_force()
    archive = _archive_write(first_id=old[0].pk, boundary=_boundary(cutoff), days=days, max_events=100)
    AuditPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), audit_retention_days=365)
    # when the retention runs, then nothing is deleted and no second archive covers the same events
    result = audit_retention_purge()
    assert (result.archived, result.purged) == (0, 0)
    assert list(AuditArchive.objects.values_list("pk", "status")) == [(archive.pk, AuditArchiveStatus.VERIFIED)]
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in old]).count() == 3
    _verify_ok()


def test_a_resumed_archive_missing_a_copy_deletes_nothing(org):
    old = _record(2, days_ago=300)
    _record(1)
    days, cutoff = _retention_in_force()
    archive = _archive_write(first_id=old[0].pk, boundary=_boundary(cutoff), days=days, max_events=100)
    storages["backup_remote"].delete(archive.stored_name)
    with pytest.raises(Exception, match="missing from location backup_remote"):
        audit_retention_purge()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in old]).count() == 2


class _CorruptingStorage(FileSystemStorage):
    """A location that damages what it stores (a failing disk or a tampering host)."""

    def _save(self, name, content):
        saved = super()._save(name, content)
        with open(self.path(saved), "ab") as handle:
            handle.write(b"\0")
        return saved


@pytest.mark.parametrize("failure", ["read-back differs", "location unreachable"])
def test_a_failed_read_back_or_location_deletes_nothing_and_alerts(
    org, settings, tmp_path, failure, celery_eager, django_capture_on_commit_callbacks
):
    # given old events, an administrator, and a remote location that damages or cannot be reached
    old = _record(3, days_ago=300)
    _record(1)
    org.hr.user.is_staff = True  # an administrator
    org.hr.user.email = "admin@example.com"
    org.hr.user.save(update_fields=["is_staff", "email"])
    org.auditor.user.email = "auditor@example.com"
    org.auditor.user.save(update_fields=["email"])
    if failure == "read-back differs":
        remote = {"BACKEND": f"{__name__}._CorruptingStorage", "OPTIONS": {"location": str(tmp_path / "remote")}}
    else:
        remote = storage_from_url("sftp://nobody@127.0.0.1:1/srv/none")
    settings.STORAGES = {**settings.STORAGES, "backup_remote": remote}
    # when the daily job runs
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Exception, match="Nothing was deleted"),
    ):
        tasks.audit_retention.delay()
    # then nothing is deleted or recorded, the run failed, and the administrators and auditors know
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in old]).count() == 3
    assert not AuditArchive.objects.exists()
    run = JobRun.objects.get(job="audit-retention")
    assert run.status == "failed" and "backup_remote" in run.detail
    alerts = Notification.objects.filter(kind="audit.retention_failed")
    assert set(alerts.values_list("recipient_id", flat=True)) == {org.hr.user_id, org.auditor.user_id}
    assert all(a.url == "/audit/archives/" and "backup_remote" in a.body for a in alerts)
    # and by e-mail (queued after the alert's commit; eager here)
    assert {m.to[0] for m in mail.outbox} == {"admin@example.com", "auditor@example.com"}


def test_the_remote_copy_on_the_sftp_server_is_written_and_read_back(sftp_remote):
    _record(3, days_ago=300)
    _record(1)
    result = audit_retention_purge()
    archive = AuditArchive.objects.get()
    assert result.purged == 3
    assert _read(archive, "backup_remote") == _read(archive, "backup_local")
    _verify_ok()


def test_the_job_is_scheduled_records_its_run_and_says_what_it_did(settings, celery_eager):
    assert settings.CELERY_BEAT_SCHEDULE["audit-retention"]["task"] == "datasecurity.tasks.audit_retention"
    assert "audit-retention" in settings.PERIODIC_JOB_LABELS
    _record(2, days_ago=300)
    _record(1)
    tasks.audit_retention.delay()
    run = JobRun.objects.get(job="audit-retention")
    assert run.status == "succeeded"
    assert "2 events archived, 2 deleted (retention 180 days" in run.detail and "SEC-2" in run.detail


def test_the_command_dry_run_changes_nothing_and_the_run_archives(capsys):
    _record(2, days_ago=300)
    _record(1)
    call_command("audit_retention", "--dry-run")
    assert "dry run: 2 events older than 180 days" in capsys.readouterr().out
    assert not AuditArchive.objects.exists() and AuditEvent.objects.count() == 3
    call_command("audit_retention")
    assert "2 events archived, 2 deleted" in capsys.readouterr().out


def test_the_command_explains_a_database_without_the_set_up():
    _record(1, days_ago=300)
    _record(1)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {AUDIT_PURGE_FUNCTION}(bigint)")
    with pytest.raises(CommandError, match="audit_db_roles --apply"):
        call_command("audit_retention")
    assert AuditEvent.objects.count() == 2 and not AuditArchive.objects.exists()


# --- The verification names the archive that is altered or missing (SEC-2, SEC-3) ----------------


def _three_archives():
    _record(6, days_ago=300)
    _record(1)
    audit_retention_purge(max_events=2)
    return list(AuditArchive.objects.order_by("first_event_id"))


def _rewrite(archive, data: bytes, locations=("backup_local", "backup_remote")):
    for location in locations:
        storage = storages[location]
        storage.delete(archive.stored_name)
        storage.save(archive.stored_name, ContentFile(data))


def _problems():
    report = audit_chain_verify()
    assert not report.ok
    return "\n".join(report.problems)


def test_one_byte_changed_in_one_copy_is_named():
    archive = _three_archives()[1]
    data = bytearray(_read(archive, "backup_remote"))
    data[len(data) // 2] ^= 0x01
    _rewrite(archive, bytes(data), locations=["backup_remote"])
    problems = _problems()
    assert archive.stored_name in problems and "location backup_remote differs from its SHA-256" in problems
    assert "backup_local" not in problems  # the other copy is intact


def test_one_event_edited_and_regzipped_in_both_copies_fails_the_signature():
    archive = _three_archives()[0]
    lines = gzip.decompress(_read(archive)).splitlines(keepends=True)
    event = json.loads(lines[0])
    event["action"] = "test.forged"
    lines[0] = (json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
    forged = gzip.compress(b"".join(lines))
    _rewrite(archive, forged)
    # even with the record's checksum rewritten to fit (someone with the database too)
    AuditArchive.objects.filter(pk=archive.pk).update(sha256=__import__("hashlib").sha256(forged).hexdigest())
    problems = _problems()
    assert f"archive {archive.stored_name}" in problems
    assert f"event {archive.first_event_id}: content does not match its hash" in problems
    assert "signature does not fit" in problems


def test_an_archive_removed_with_its_record_breaks_the_links_between_its_neighbours():
    first, middle, last = _three_archives()
    _rewrite(middle, b"")
    for location in ("backup_local", "backup_remote"):
        storages[location].delete(middle.stored_name)
    AuditArchive.objects.filter(pk=middle.pk).delete()
    problems = _problems()
    assert f"{last.stored_name} (events {last.first_event_id}–{last.last_event_id}) does not continue" in problems
    assert first.stored_name in problems and "missing or altered" in problems


def test_an_archive_missing_from_both_locations_is_named_and_the_command_fails(capsys):
    archives = _three_archives()
    for location in ("backup_local", "backup_remote"):
        storages[location].delete(archives[-1].stored_name)
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit_verify")
    assert f"{archives[-1].stored_name} (events" in capsys.readouterr().err
    archives[-1].refresh_from_db()
    assert archives[-1].verify_ok is False and "missing from location backup_local" in archives[-1].verify_detail
    archives[0].refresh_from_db()
    assert archives[0].verify_ok is True and archives[0].verified_at is not None


def test_the_newest_archive_must_end_where_the_live_chain_begins():
    archives = _three_archives()
    AuditArchive.objects.filter(pk=archives[-1].pk).delete()
    for location in ("backup_local", "backup_remote"):
        storages[location].delete(archives[-1].stored_name)
    assert "the live chain does not begin where" in _problems()


# --- The database function's upgrade (migration 0005) ---------------------------------------------


def test_the_migration_replaces_the_former_function_keeping_its_grants():
    # given a database with the former set-up: datasecurity_audit_purge() granted to the app role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {AUDIT_PURGE_FUNCTION}(bigint)")
        cursor.execute(
            f"CREATE FUNCTION {AUDIT_PURGE_FUNCTION}() RETURNS integer LANGUAGE sql AS 'SELECT 0';"
            f"ALTER FUNCTION {AUDIT_PURGE_FUNCTION}() OWNER TO callcenter_audit_owner;"
            f"REVOKE ALL ON FUNCTION {AUDIT_PURGE_FUNCTION}() FROM PUBLIC;"
            f"GRANT EXECUTE ON FUNCTION {AUDIT_PURGE_FUNCTION}() TO callcenter_test_app;"
        )
    # when the migration's step runs (as the superuser the migration runs as)
    audit_purge_function_upgrade(mock.Mock(connection=connection))
    # then the former function is gone, the new one belongs to the owner, the app may execute it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regprocedure(%s), to_regprocedure(%s)",
            [
                f"{AUDIT_PURGE_FUNCTION}()",
                f"{AUDIT_PURGE_FUNCTION}(bigint)",
            ],
        )
        old, new = cursor.fetchone()
        assert old is None and new is not None
        cursor.execute(
            "SELECT pg_get_userbyid(proowner), has_function_privilege('callcenter_test_app', oid, 'EXECUTE')"
            " FROM pg_proc WHERE oid = to_regprocedure(%s)",
            [f"{AUDIT_PURGE_FUNCTION}(bigint)"],
        )
        assert cursor.fetchone() == ("callcenter_audit_owner", True)


def test_audit_db_roles_check_still_passes_with_the_archive_function(capsys):
    call_command("audit_db_roles", "--check", "--app-role", "callcenter_test_app")
    assert "protected" in capsys.readouterr().out
