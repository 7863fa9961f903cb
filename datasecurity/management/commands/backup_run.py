"""``manage.py backup_run``: make a backup now, in this process (SEC-1): dump, files, encrypt, both
locations written and read back, recorded, older ones pruned. Exit 1 when it failed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from datasecurity.models import BackupTrigger
from datasecurity.services import backup_run_execute
from datasecurity.services.backup import _run_create


class Command(BaseCommand):
    help = "Make a backup now (both locations, verified), as the schedule would; exit 1 when it fails."

    def handle(self, *args, **options):
        with transaction.atomic():
            run = _run_create(actor=None, trigger=BackupTrigger.COMMAND)
        run = backup_run_execute(run_id=run.pk)
        if run.status != "succeeded":
            raise CommandError(f"Backup {run.pk} FAILED: {run.error}")
        self.stdout.write(
            self.style.SUCCESS(f"Backup {run.pk} made: {run.name}, {run.size} bytes, SHA-256 {run.sha256}.")
        )
        for location in run.locations:
            self.stdout.write(f"  {location['label']}: read back, SHA-256 {location['sha256']}")
