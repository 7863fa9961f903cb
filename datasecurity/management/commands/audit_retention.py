"""``manage.py audit_retention [--dry-run]``: archive the audit events older than the retention in
force (SEC-2: never fewer than 180 days) to both backup locations, signed and read back, then
delete them; the daily job ``audit-retention`` does the same (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from datasecurity.services import audit_retention_purge


class Command(BaseCommand):
    help = (
        "Archive the audit events older than the retention (signed, to both backup locations, each copy "
        "read back), then delete them (SEC-2). --dry-run says what would be done."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what is due; write and delete nothing")
        parser.add_argument(
            "--max-events",
            type=int,
            default=None,
            help="events per archive (default 1,000,000; a backlog makes several)",
        )

    def handle(self, *args, **options):
        try:
            result = audit_retention_purge(dry_run=options["dry_run"], max_events=options["max_events"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
