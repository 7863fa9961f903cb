"""Signed checkpoints anchor the audit chain outside the database (SEC-3).

A trimmed tail with a rewritten head is a consistent chain inside the database; only a copy of the
head kept elsewhere (a write-once directory, ``AUDIT_CHECKPOINT_DIR``) shows that events are
missing. Every test gets its own directory (``conftest.py``).
"""

import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from callcenter.models import JobRun
from datasecurity import tasks
from datasecurity.models import AuditChainHead
from datasecurity.selectors import audit_chain_verify, audit_checkpoint_latest
from datasecurity.services import audit_checkpoint_write, audit_record

pytestmark = pytest.mark.django_db


def _record(n):
    return [audit_record(actor=None, action="test.event", object_id=i) for i in range(n)]


def _trim_tail_and_rewrite_head(keep_last):
    """What the issue reproduced: delete the newest events and make the head agree (as a DBA)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE datasecurity_auditevent DISABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute("DELETE FROM datasecurity_auditevent WHERE id > %s", [keep_last.pk])
        cursor.execute("ALTER TABLE datasecurity_auditevent ENABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute(
            "UPDATE datasecurity_auditchainhead SET last_event_id = %s, last_hash = %s,"
            " event_count = (SELECT count(*) FROM datasecurity_auditevent) WHERE id = 1",
            [keep_last.pk, keep_last.hash],
        )


def _files(directory) -> list[Path]:
    return sorted(p for p in Path(directory).rglob("*.json"))


def test_a_trimmed_tail_with_a_rewritten_head_fails_against_the_checkpoint(settings, capsys):
    # given five events and a checkpoint of them
    events = _record(5)
    assert audit_checkpoint_write() is not None
    # when the two newest events are deleted and the head rewritten to match
    _trim_tail_and_rewrite_head(events[2])
    # then the chain alone looks intact, but audit_verify compares it with the checkpoint
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit_verify")
    err = capsys.readouterr().err
    assert f"event {events[-1].pk}" in err and "checkpoint" in err
    assert "5 events" in err


def test_the_checkpoint_records_the_head_signed_in_a_read_only_file(settings):
    events = _record(3)
    checkpoint = audit_checkpoint_write()
    (path,) = _files(settings.AUDIT_CHECKPOINT_DIR)
    assert path == checkpoint.path
    document = json.loads(path.read_text())
    assert document["event_count"] == 3
    assert document["last_event_id"] == events[-1].pk
    assert document["last_hash"] == events[-1].hash
    assert len(document["signature"]) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    # an unchanged head writes nothing new; a changed one writes a new file, the old one stays
    assert audit_checkpoint_write() is None
    _record(1)
    assert audit_checkpoint_write() is not None
    assert len(_files(settings.AUDIT_CHECKPOINT_DIR)) == 2
    assert path.read_text() == json.dumps(document, sort_keys=True, indent=1) + "\n"
    assert audit_checkpoint_latest().event_count == 4
    assert audit_chain_verify().ok


def test_a_checkpoint_file_is_never_overwritten(settings, monkeypatch):
    _record(1)
    first = audit_checkpoint_write()
    before = first.path.read_bytes()
    # given a second write that would get the same name; then it refuses instead of overwriting
    _record(1)
    monkeypatch.setattr("datasecurity.services.audit._checkpoint_name", lambda fields: first.path.name)
    with pytest.raises(FileExistsError):
        audit_checkpoint_write()
    assert first.path.read_bytes() == before


def test_a_forged_checkpoint_is_reported(settings):
    # given a checkpoint whose numbers were changed without the key (its signature no longer fits)
    _record(2)
    checkpoint = audit_checkpoint_write()
    document = json.loads(checkpoint.path.read_text())
    document["event_count"] = 1
    forged = checkpoint.path.with_name("audit-checkpoint-99991231T000000000000Z-forged.json")
    forged.write_text(json.dumps(document))
    # then the verification reports it and keeps checking against the genuine one
    report = audit_chain_verify()
    assert not report.ok
    assert any(forged.name in p and "signature" in p for p in report.problems)
    assert audit_checkpoint_latest().path == checkpoint.path


def test_a_checkpoint_survives_the_retention_purge(settings):
    # given a checkpoint and then a legitimate purge of old events (the anchor moves forward)
    events = _record(4)
    audit_checkpoint_write()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("UPDATE datasecurity_auditchainhead SET anchor_hash = %s WHERE id = 1", [events[1].hash])
        cursor.execute("ALTER TABLE datasecurity_auditevent DISABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute("DELETE FROM datasecurity_auditevent WHERE id <= %s", [events[1].pk])
        cursor.execute("ALTER TABLE datasecurity_auditevent ENABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute("UPDATE datasecurity_auditchainhead SET event_count = 2 WHERE id = 1")
    # then the chain still verifies against the checkpoint (its newest event is there, unchanged)
    report = audit_chain_verify()
    assert report.ok, report.problems


def test_without_a_checkpoint_the_verification_says_so_but_passes(capsys):
    _record(1)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "intact" in out and "no checkpoint" in out


def test_the_checkpoint_job_is_scheduled_and_records_its_run(settings, celery_eager):
    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == "datasecurity.tasks.audit_checkpoint_write"
    assert "audit-checkpoint" in settings.PERIODIC_JOB_LABELS
    _record(2)
    tasks.audit_checkpoint_write.delay()
    tasks.audit_checkpoint_write.delay()  # idempotent: the head has not moved
    runs = list(JobRun.objects.filter(job="audit-checkpoint").order_by("started_at"))
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert "2 events" in runs[0].detail and "unchanged" in runs[1].detail
    assert len(_files(settings.AUDIT_CHECKPOINT_DIR)) == 1
    assert AuditChainHead.objects.get(pk=1).event_count == 2
