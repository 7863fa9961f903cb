"""Backups on the `make run` database (SQLite, SEC-1): SQLite's online backup API instead of
pg_dump, the same encrypted bundle and locations, and a restore drill that opens the restored
copy, compares it with the manifest and verifies the audit chain there. Runs in the SQLite child
run (conftest.py, marker ``sqlite``)."""

import pytest
from django.db import transaction
from django.urls import reverse

from callcenter.models import User
from datasecurity.models import BackupRunStatus, RestoreDrillResult
from datasecurity.services import audit_record, backup_run_execute, restore_drill_execute
from datasecurity.services.backup import _drill_create, _run_create

pytestmark = pytest.mark.sqlite


def test_a_backup_and_its_restore_drill_on_sqlite(sqlite_db, org, client):
    # given a few committed audit events (the chain the drill verifies in the restored copy)
    with transaction.atomic():
        for i in range(3):
            audit_record(actor=None, action="demo.seed", object_repr=f"seed {i}")
    # when a backup is made and drilled
    with transaction.atomic():
        run = _run_create(actor=None, trigger="command")
    run = backup_run_execute(run_id=run.pk)
    assert run.status == BackupRunStatus.SUCCEEDED, run.error
    assert run.method == "sqlite_backup"
    assert run.manifest["audit_chain_head"]["event_count"] >= 3
    with transaction.atomic():
        drill = _drill_create(actor=None, backup_id=run.pk, trigger="command")
    drill = restore_drill_execute(drill_id=drill.pk)
    # then the restored copy matches the manifest and its audit chain verifies
    assert drill.result == RestoreDrillResult.PASSED, drill.checks
    chain = next(c for c in drill.checks if c["code"] == "audit_chain")
    assert "events verified" in chain["detail"]
    # and the administrator's pages work on SQLite, the backup shown as proven
    admin = User.objects.get(pk=org.other_dept.user_id)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    html = client.get(reverse("datasecurity:backup_list")).content.decode()
    assert f'data-backup="{run.pk}"' in html and 'data-proven="yes"' in html
    assert client.get(reverse("datasecurity:backup_plan_edit")).status_code == 200
    assert client.get(reverse("datasecurity:restore_drill_list")).status_code == 200
