"""Register a system that files complaints (the web form, the CRM; CMP-1) and print its token
once. Only the token's hash is stored."""

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from complaints.services import integration_token_create


class Command(BaseCommand):
    help = "Register a complaint intake integration and print its token once; only its SHA-256 is stored."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Short name, 1-8 of a-z 0-9 - _ (e.g. webform, crm); kept as the source.")

    def handle(self, *args, name, **options):
        try:
            integration, token = integration_token_create(actor=None, name=name)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Integration #{integration.pk} {integration.name!r} created.")
        self.stdout.write(
            "Token (shown once; send 'Authorization: Integration <token>' to POST /api/v1/complaints/intake/):"
        )
        self.stdout.write(token)
