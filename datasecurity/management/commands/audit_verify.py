"""``manage.py audit_verify``: detect edited, removed or forged audit events (SEC-3)."""

from django.core.management.base import BaseCommand, CommandError

from datasecurity.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exit 1 when it is broken."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"Audit chain BROKEN: {len(report.problems)} problem(s) in {report.checked} events.")
