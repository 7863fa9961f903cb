"""``manage.py demo_logins``: the demo logins, one per role (used by ``make run``)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from callcenter.demo.accounts import demo_login_rows, display_width, pad

URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Print the demo logins (one per role), their password and what each one sees."

    def handle(self, *args, **options):
        rows = demo_login_rows()
        header = ["角色 / Role", "Username", "Password", "姓名 / Name", "能看到 / Sees"]
        table = [
            [f"{r['role_zh']} / {r['role_en']}", r["username"], settings.DEMO_PASSWORD, r["name"], r["sees"]]
            for r in rows
        ]
        widths = [max(display_width(str(row[i])) for row in [header, *table]) for i in range(len(header))]

        def line(cells):
            return "| " + " | ".join(pad(str(c), w) for c, w in zip(cells, widths, strict=True)) + " |"

        self.stdout.write("")
        self.stdout.write(f"Demo logins — open {URL}")
        self.stdout.write(line(header))
        self.stdout.write("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for cells in table:
            self.stdout.write(line(cells))
        if not all(r["exists"] for r in rows):
            self.stdout.write(self.style.WARNING("Some demo logins are missing: run `manage.py seed_demo` first."))
        self.stdout.write("")
