"""``manage.py twofa_reset <username> --by <administrator>``: end a user's two-factor devices when
they lost their phone and their recovery codes (SEC-2). Audited as the administrator named."""

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from datasecurity import services
from datasecurity.selectors import twofa_administrator_get


class Command(BaseCommand):
    help = "Reset a user's two-factor login (lost phone and recovery codes); audited as --by."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", required=True, help="the administrator's username (the audit's actor)")

    def handle(self, *args, **options):
        try:
            actor = twofa_administrator_get(username=options["by"])
            removed = services.twofa_reset(actor=actor, username=options["username"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{options['username']}: {removed} two-factor device(s) removed; audited as {actor}.")
