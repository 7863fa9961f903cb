"""``manage.py backup_verify [--backup ID]``: a restore drill now (SEC-1): the backup (the newest
by default) from the remote location, checked, decrypted, restored into a scratch database,
checked against its manifest, the scratch database dropped. Exit 1 when it fails."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from callcenter.errors import ApplicationError
from datasecurity.models import BackupTrigger
from datasecurity.selectors import DRILL_CHECK_LABELS
from datasecurity.services import restore_drill_execute
from datasecurity.services.backup import _drill_create


class Command(BaseCommand):
    help = "Restore a backup (the newest by default) from the remote location into a scratch database and check it."

    def add_arguments(self, parser):
        parser.add_argument("--backup", type=int, default=None, help="the backup's id (default: the newest stored)")

    def handle(self, *args, backup=None, **options):
        try:
            with transaction.atomic():
                drill = _drill_create(actor=None, backup_id=backup, trigger=BackupTrigger.COMMAND)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        drill = restore_drill_execute(drill_id=drill.pk)
        for check in drill.checks:
            mark = "ok  " if check["ok"] else "FAIL"
            label = DRILL_CHECK_LABELS.get(check["code"], check["code"])
            self.stdout.write(f"  [{mark}] {label}: {check['detail'][:300]}")
        if drill.result != "passed":
            raise CommandError(f"Restore drill {drill.pk} of backup {drill.backup_id} FAILED: {drill.error}")
        self.stdout.write(self.style.SUCCESS(f"Backup {drill.backup_id} is proven restorable (drill {drill.pk})."))
