"""``manage.py audit_verify``: detect edited, removed or forged audit events (SEC-3), and a trimmed
tail: the chain is compared with the latest signed checkpoint (``AUDIT_CHECKPOINT_DIR``)."""

from django.core.management.base import BaseCommand, CommandError

from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_archive_verification_save


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit trail against the latest signed checkpoint, and its archives "
        "(both copies, signature, chain inside and between them); "
        "exit 1 when it is broken or a checkpoint is forged."
    )

    def handle(self, *args, **options):
        report = audit_chain_verify()
        audit_archive_verification_save(checks=report.archives)
        for note in report.notes:
            self.stdout.write(f"Note: {note}.")
        if report.ok:
            anchored = ""
            if report.checkpoint is not None:
                anchored = (
                    f" Matches the checkpoint of {report.checkpoint.created_at:%Y-%m-%d %H:%M:%S} UTC "
                    f"({report.checkpoint.event_count} events, last event {report.checkpoint.last_event_id})."
                )
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified.{anchored}"))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"Audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} events.")
