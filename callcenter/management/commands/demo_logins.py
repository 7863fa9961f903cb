"""``manage.py demo_logins``: the demo logins, one per role (used by ``make run``)."""

import base64
import binascii
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.oath import totp

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
        self.stdout.write(mail_where())
        self.stdout.write(twofa_note())
        if not all(r["exists"] for r in rows):
            self.stdout.write(self.style.WARNING("Some demo logins are missing: run `manage.py seed_demo` first."))
        self.stdout.write("")


def mail_where() -> str:
    """Where the e-mails of this configuration go (``make run``: files under var/mail/)."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith(".filebased.EmailBackend"):
        path = Path(settings.EMAIL_FILE_PATH)
        shown = path.relative_to(settings.BASE_DIR) if path.is_relative_to(settings.BASE_DIR) else path
        where = f"written to files in {shown}/ (one file per batch), not sent"
    elif backend.endswith(".console.EmailBackend"):
        where = "printed on this console, not sent"
    elif backend.endswith(".smtp.EmailBackend"):
        where = f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    else:
        where = f"handled by {backend}"
    return f"邮件 / E-mails: {where}. Notifications are in the app too (the bell, top right)."


def twofa_note() -> str:
    """Administrators always sign in with a second factor (SEC-2): the demo admin's authenticator
    secret (``DEMO_TOTP_KEY``) and the code valid now. The demo's policy makes it optional for the
    other roles (datasecurity/demo/twofa.py)."""
    key = binascii.unhexlify(settings.DEMO_TOTP_KEY)
    secret = base64.b32encode(key).decode().rstrip("=")
    return (
        f"双因素登录 / Two-factor login: admin → secret {secret} (add it to an authenticator app), "
        f"code now {totp(key):06d}; optional for the other demo logins (Two-factor login in the user menu)."
    )
