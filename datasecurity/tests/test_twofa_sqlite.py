"""Two-factor login on the `make run` database (SQLite), on the demo ``seed_demo`` makes: the
demo policy lists no role, so HR signs in with the password and may set 2FA up; the demo admin,
enrolled with ``DEMO_TOTP_KEY``, gives the code ``demo_logins`` prints (SEC-2, SEC-3)."""

import binascii
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp

from datasecurity.views.twofa import SETUP_KEY

pytestmark = [pytest.mark.sqlite, pytest.mark.twofa]


@pytest.fixture
def demo(sqlite_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", employees=30, months=0, stdout=StringIO())


def sign_in(username) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_demo_hr_signs_in_with_the_password_then_sets_2fa_up(demo):
    client = sign_in("hr")
    assert client.get("/").status_code == 200  # the demo policy lists no role
    assert client.get("/accounts/twofa/setup/").status_code == 200
    key = client.session[SETUP_KEY]
    done = client.post("/accounts/twofa/setup/", {"code": f"{totp(binascii.unhexlify(key)):06d}"})
    assert done.status_code == 200 and len(re.findall(r'<li class="col">', done.content.decode())) == 10
    assert client.get("/api/v1/twofa/status/").json()["enrolled"] is True


def test_demo_admin_gives_the_printed_code(demo):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = re.search(r"code now (\d{6})", out.getvalue()).group(1)
    client = sign_in("admin")
    assert client.get("/").url.startswith("/accounts/twofa/verify/")
    answer = client.post("/accounts/twofa/verify/", {"code": printed})
    assert answer.status_code == 302
    assert client.get("/").status_code == 200
