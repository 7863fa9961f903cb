"""``manage.py backup_restore``: the bad-day restore (SEC-1, docs/operations.md).

- ``--list``: the bundles in the remote location (works without the live database);
- ``--name NAME --into DBNAME`` (or ``--backup ID``): the bundle's SHA-256 checked against its
  checksum file, decrypted with BACKUP_ENCRYPTION_KEY and restored into a *new* database
  ``DBNAME`` (refused when it is the live database or exists); ``--files-into DIR`` unpacks the
  uploaded files (media/, private/) there.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from datasecurity.selectors import backup_bundles_list
from datasecurity.services import backup_restore_into


class Command(BaseCommand):
    help = "List the backups of a location, or restore one into a new database (never the live one)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list the bundles stored in the location")
        parser.add_argument("--backup", type=int, default=None, help="the backup's id (needs the live database)")
        parser.add_argument("--name", default="", help="the bundle's name as --list shows it")
        parser.add_argument("--into", default="", help="the new database to restore into")
        parser.add_argument(
            "--from", dest="location", default="backup_remote", choices=["backup_remote", "backup_local"]
        )
        parser.add_argument("--files-into", default="", help="a directory to unpack the uploaded files into")

    def handle(self, *args, **options):
        location = options["location"]
        if options["list"]:
            bundles = backup_bundles_list(location=location)
            if not bundles:
                self.stdout.write(f"No backup in {location}.")
            for bundle in bundles:
                self.stdout.write(f"{bundle['name']}  {bundle['size']} bytes")
            return
        if not options["into"]:
            raise CommandError("Say where to restore: --into DBNAME (a new database).")
        try:
            outcome = backup_restore_into(
                database=options["into"],
                backup_id=options["backup"],
                name=options["name"],
                location=location,
                files_into=Path(options["files_into"]) if options["files_into"] else None,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {outcome.name} into {outcome.database}: backup {manifest.get('backup_id')} of "
                f"{manifest.get('created_at')}, {len(manifest.get('row_counts', {}))} tables, "
                f"{len(manifest.get('migrations', []))} migrations."
            )
        )
        if outcome.files_into:
            self.stdout.write(f"Files unpacked into {outcome.files_into} (media/, private/).")
