"""Retire a complaint intake integration (CMP-1): its token is refused from now on."""

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from complaints.services import integration_token_deactivate


class Command(BaseCommand):
    help = "Deactivate a complaint intake integration; its token answers 401 from now on."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The integration's name (as given to complaint_integration_create).")

    def handle(self, *args, name, **options):
        try:
            integration = integration_token_deactivate(actor=None, name=name)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Integration {integration.name!r} deactivated.")
