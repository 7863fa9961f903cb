"""Register a time clock and print its API token once (ATT-2). Only the token's hash is stored."""

from django.core.management.base import BaseCommand, CommandError

from attendance.services import device_create
from callcenter.errors import ApplicationError


class Command(BaseCommand):
    help = "Register a time clock (device) and print its token once; only its SHA-256 is stored."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Name of the time clock, e.g. 'Floor 3 entrance'.")
        parser.add_argument("--location", default="", help="Where it hangs.")

    def handle(self, *args, name, location, **options):
        try:
            device, token = device_create(actor=None, name=name, location=location)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"Time clock #{device.pk} {device.name!r} created.")
        self.stdout.write("Token (shown once; configure the clock to send 'Authorization: Device <token>'):")
        self.stdout.write(token)
