"""Audit trail (SEC-2, SEC-3): events chain; edits and deletions are refused and detected."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from datasecurity.models import GENESIS_HASH, AuditChainHead, AuditEvent
from datasecurity.rules import mask_value
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_record


def _record(n, actor=None):
    return [
        audit_record(actor=actor, action="test.event", object_type="x", object_id=i, changes={"i": i}) for i in range(n)
    ]


def _tamper(sql, params=()):
    """Change the table behind the application's back, as a DBA with the trigger off would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE datasecurity_auditevent DISABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE datasecurity_auditevent ENABLE TRIGGER datasecurity_audit_no_update_delete")


@pytest.mark.django_db
def test_events_chain_to_each_other():
    # given three events; then each points at the previous one and the head at the last
    first, second, third = _record(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_hash, head.event_count) == (third.pk, third.hash, 3)
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_secrets_and_contact_details_never_stored_in_full():
    event = audit_record(
        actor=None,
        action="test.sensitive",
        changes={"password": "hunter2", "customer_phone": "13812345678", "note": "ok"},
    )
    event.refresh_from_db()
    assert event.changes["password"] == "[redacted]"
    assert event.changes["customer_phone"] == mask_value("13812345678") != "13812345678"
    assert "12345678" not in str(event.changes)
    assert event.changes["note"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE datasecurity_auditevent SET action = 'forged'",
        "DELETE FROM datasecurity_auditevent",
    ],
)
def test_trigger_refuses_raw_sql(statement):
    _record(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(action="test.event").count() == 2


@pytest.mark.django_db
def test_trigger_refuses_truncate_for_the_app():
    _record(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way
        cursor.execute("SET LOCAL callcenter.allow_truncate = 'off'")
        cursor.execute("TRUNCATE datasecurity_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_trigger_refuses_orm_update_and_delete():
    (event,) = _record(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.action = "forged"
    with pytest.raises(DatabaseError), transaction.atomic():
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_audit_verify_detects_an_edited_row(capsys):
    events = _record(5)
    call_command("audit_verify")
    assert "5 events verified" in capsys.readouterr().out
    _tamper("UPDATE datasecurity_auditevent SET changes = '{\"i\": 99}' WHERE id = %s", [events[2].pk])
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit_verify")
    assert f"event {events[2].pk}: content does not match" in capsys.readouterr().err


@pytest.mark.django_db
def test_audit_verify_detects_a_deleted_row(capsys):
    events = _record(5)
    _tamper("DELETE FROM datasecurity_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert f"event {events[2].pk}: previous event missing" in capsys.readouterr().err


@pytest.mark.django_db
def test_audit_verify_detects_a_deleted_last_row():
    events = _record(3)
    _tamper("DELETE FROM datasecurity_auditevent WHERE id = %s", [events[-1].pk])
    report = audit_chain_verify()
    assert not report.ok
    assert any("events removed" in p for p in report.problems)


@pytest.mark.django_db
def test_rolled_back_transaction_leaves_no_event_and_chain_intact():
    _record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.rolled_back")
        raise RuntimeError("business rule failed")
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    _record(1)
    assert audit_chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_never_fork_the_chain():
    # given four connections appending at once; then the chain stays one line
    errors = []

    def worker(n):
        try:
            for i in range(10):
                audit_record(actor=None, action="test.parallel", object_id=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = audit_chain_verify()
    assert report.ok, report.problems
    assert report.checked == 40
