"""The application's database role cannot trim the audit trail (SEC-2, SEC-3; PostgreSQL).

The test database is set up as production is (``conftest.py``, fixture ``django_db_setup``, which
runs ``audit_db_roles_apply``): the audit table belongs to ``callcenter_audit_owner`` and
``callcenter_test_app`` stands for the role the application connects as. Tests connect as a
superuser, so each proof switches to the application's role with ``SET LOCAL ROLE``.
"""

import datetime
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from datasecurity.append_only import audit_db_roles_sql
from datasecurity.models import AuditArchive, AuditArchiveStatus, AuditChainHead, AuditEvent, AuditPolicy
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_record, audit_retention_purge

APP_ROLE = "callcenter_test_app"

pytestmark = pytest.mark.django_db


@contextmanager
def _as_app_role():
    """A savepoint in which the session acts as the application's role (reverted on exit)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        yield cursor


def _record(n, *, days_ago=0, action="test.event"):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=at):
        return [audit_record(actor=None, action=action, object_id=i) for i in range(n)]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM datasecurity_auditevent",
        "UPDATE datasecurity_auditevent SET action = 'forged'",
        "TRUNCATE datasecurity_auditevent",
        "ALTER TABLE datasecurity_auditevent DISABLE TRIGGER datasecurity_audit_no_update_delete",
        "DROP TRIGGER datasecurity_audit_no_update_delete ON datasecurity_auditevent",
        "CREATE OR REPLACE FUNCTION datasecurity_audit_append_only() RETURNS trigger AS $$"
        " BEGIN RETURN OLD; END $$ LANGUAGE plpgsql",
    ],
)
def test_the_application_role_cannot_delete_update_truncate_or_unprotect(statement):
    # given events; when the application's role tries to remove, change or unprotect them
    _record(2)
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), _as_app_role() as cursor:
        cursor.execute(statement)
    # then nothing changed
    assert AuditEvent.objects.filter(action="test.event").count() == 2
    assert audit_chain_verify().ok


def test_the_retention_setting_no_longer_opens_the_trigger_for_anyone():
    # given events; when a session sets the old retention switch and deletes (as any role)
    _record(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL callcenter.audit_retention = 'on'")
        cursor.execute("DELETE FROM datasecurity_auditevent")
    with pytest.raises(DatabaseError), _as_app_role() as cursor:
        cursor.execute("SET LOCAL callcenter.audit_retention = 'on'")
        cursor.execute("DELETE FROM datasecurity_auditevent")
    # then both are refused
    assert AuditEvent.objects.filter(action="test.event").count() == 2


def test_the_application_role_may_read_and_append():
    with _as_app_role() as cursor:
        event = audit_record(actor=None, action="test.as_app")
        cursor.execute("SELECT count(*) FROM datasecurity_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == (1,)
    assert audit_chain_verify().ok


def _archive_row(events, *, count=None):
    """The record of a verified archive of ``events`` (the function reads the record only; the
    files are the service's business: test_retention_service.py)."""
    return AuditArchive.objects.create(
        first_event_id=events[0].pk,
        last_event_id=events[-1].pk,
        event_count=count or len(events),
        first_occurred_at=events[0].occurred_at,
        last_occurred_at=events[-1].occurred_at,
        first_prev_hash=events[0].prev_hash,
        last_hash=events[-1].hash,
        signature="0" * 64,
        sha256="0" * 64,
        size=1,
        stored_name=f"audit-archives/test-{events[0].pk}.jsonl.gz",
        locations=["backup_local", "backup_remote"],
        retention_days=180,
        status=AuditArchiveStatus.VERIFIED,
    )


def _purge(cursor, upto):
    cursor.execute("SELECT purged, kept_days FROM datasecurity_audit_purge(%s)", [upto])
    return cursor.fetchone()


def test_the_purge_function_deletes_only_events_older_than_the_retention_and_reanchors():
    # given events 200, 190 and 10 days old (retention 180 days), one of today, and the old ones archived
    old = _record(2, days_ago=200) + _record(1, days_ago=190)
    kept = _record(1, days_ago=10) + _record(1)
    _archive_row(old)
    # when the application's role runs the retention function up to the archive's last event
    with _as_app_role() as cursor:
        assert _purge(cursor, old[-1].pk) == (3, 180)
    # then only the archived events are gone and the chain still verifies from its new anchor
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert list(AuditEvent.objects.order_by("id").values_list("pk", flat=True)) == [e.pk for e in kept]
    head = AuditChainHead.objects.get(pk=1)
    assert head.anchor_hash == kept[0].prev_hash == old[-1].hash and head.event_count == 2
    # and running it again deletes nothing (idempotent)
    with _as_app_role() as cursor:
        assert _purge(cursor, old[-1].pk) == (0, 180)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no archive", "no verified archive"),
        ("young event", "not all older than the retention"),
        ("count differs", "holds 3 events, 2 found"),
        ("starts late", "older than the archive"),
    ],
)
def test_the_purge_function_refuses_anything_but_an_archive_past_the_retention(case, message):
    """SEC-2: whatever the application asks, the database deletes only archived, old events."""
    old = _record(2, days_ago=200)
    young = _record(2, days_ago=10)
    upto = old[-1].pk
    if case == "young event":
        _archive_row(old + young)
        upto = young[-1].pk
    elif case == "count differs":
        _archive_row(old, count=3)
    elif case == "starts late":
        _archive_row(old[1:])
    with pytest.raises(DatabaseError, match=message), _as_app_role() as cursor:
        _purge(cursor, upto)
    assert AuditEvent.objects.filter(action="test.event").count() == 4


def test_the_purge_keeps_the_newest_event_when_every_event_is_old():
    events = _record(3, days_ago=400)
    _archive_row(events)
    with pytest.raises(DatabaseError, match="not all older"), _as_app_role() as cursor:
        _purge(cursor, events[-1].pk)
    AuditArchive.objects.all().delete()
    _archive_row(events[:2])
    with _as_app_role() as cursor:
        assert _purge(cursor, events[1].pk) == (2, 180)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [events[-1].pk]
    assert AuditChainHead.objects.get(pk=1).anchor_hash == events[1].hash


def test_the_purge_function_follows_a_longer_policy():
    # given a retention of 365 days (SEC-2: never less than 180) and events 400 to 200 days old
    AuditPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), audit_retention_days=365)
    past = _record(1, days_ago=400) + _record(1, days_ago=370)
    kept = _record(1, days_ago=300) + _record(1, days_ago=200)
    _archive_row(past + kept[:1])
    # when the retention function is asked for events within the 365 days: refused
    with pytest.raises(DatabaseError, match="365 days"), _as_app_role() as cursor:
        _purge(cursor, kept[0].pk)
    # then only the events older than 365 days go
    AuditArchive.objects.all().delete()
    _archive_row(past)
    with _as_app_role() as cursor:
        assert _purge(cursor, past[-1].pk) == (2, 365)
    assert list(AuditEvent.objects.order_by("id").values_list("pk", flat=True)) == [e.pk for e in kept]
    assert AuditChainHead.objects.get(pk=1).anchor_hash == past[-1].hash


def test_the_retention_service_purges_as_the_application_and_audits_the_purge():
    _record(2, days_ago=300)
    with _as_app_role():
        result = audit_retention_purge()
    assert result.purged == 1 and result.retention_days == 180
    event = AuditEvent.objects.get(action="audit.retention_purge")
    assert event.changes["purged"] == 1 and event.changes["retention_days"] == 180
    # then, in the same transaction, its record in the destruction register (SEC-4), audited last
    assert AuditEvent.objects.order_by("-id").first().action == "destruction.record_write"
    assert audit_chain_verify().ok


def test_the_retention_service_explains_a_database_without_the_set_up():
    # given a database where the operator has not run the set-up (the function is missing)
    _record(1, days_ago=300)
    with connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION datasecurity_audit_purge(bigint)")
    # then the service refuses with the command to run, and nothing is deleted
    with pytest.raises(Exception, match="audit_db_roles --apply"):
        audit_retention_purge()
    assert AuditEvent.objects.count() == 1


def test_audit_db_roles_prints_the_operator_sql(capsys):
    call_command("audit_db_roles", "--print", "--app-role", "callcenter")
    sql = capsys.readouterr().out
    assert "CREATE ROLE callcenter_audit_owner NOLOGIN" in sql
    assert 'ALTER TABLE "public"."datasecurity_auditevent" OWNER TO callcenter_audit_owner' in sql
    assert 'GRANT SELECT, INSERT ON "public"."datasecurity_auditevent" TO "callcenter"' in sql
    assert "SECURITY DEFINER" in sql


def test_audit_db_roles_check_reports_the_set_up(capsys):
    call_command("audit_db_roles", "--check", "--app-role", APP_ROLE)
    assert "protected" in capsys.readouterr().out
    # a superuser application role is never protected
    with pytest.raises(CommandError, match="superuser"):
        call_command("audit_db_roles", "--check", "--app-role", "postgres")


def test_the_operations_guide_shows_the_sql_the_command_prints():
    guide = (Path(settings.BASE_DIR) / "docs" / "operations.md").read_text(encoding="utf-8")
    assert audit_db_roles_sql(app_role="callcenter_app") in guide
