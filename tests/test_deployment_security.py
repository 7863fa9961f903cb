"""Deployment (SECURITY.md class 12) as a test, and module by module: Django's deployment checklist
passes at the WARNING level in production settings (``make check-deploy`` runs the same command
in CI; here it is a test the map can name), and in every module an unknown record, a refused
filter and a failing page answer the project's error pages without internals: no traceback, no
exception text, no settings, no SQL."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import attendance.views.leave
import callcenter.views.org
import complaints.views.complaints
import datasecurity.views.audit
import performance.views.appraisals

INTERNALS = ("Traceback", 'File "/', "SECRET_KEY", "DATABASES", "psycopg", "SELECT ", "urlpatterns", "django.")

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "deploy-check-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "callcenter.example.com",
    # SEC-1: production encrypts its backups with its own key (datasecurity.W001 otherwise)
    "BACKUP_ENCRYPTION_KEY": "Y2ktb25seSBiYWNrdXAga2V5LCBuZXZlciByZWFsISE=",  # 32 bytes, CI only
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/callcenter"),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def _leaks(text: str) -> list[str]:
    return [marker for marker in INTERNALS if marker in text]


def test_check_deploy_passes_at_warning_level_in_production_settings():
    """Given the production settings with their required environment, when Django's deployment
    checklist runs with ``--fail-level WARNING``, then it passes: HTTPS redirect, HSTS, secure
    cookies, DEBUG off, a long secret key, allowed hosts."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "callcenter.settings", **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# module -> (who, a page of one record, its API twin)
UNKNOWN = {
    "callcenter": ("hr", "callcenter:employee_detail", "api:callcenter:employee_detail"),
    "attendance": ("hr", "attendance:leave_detail", "api:attendance:leave_request"),
    "performance": ("hr", "performance:appraisal_detail", "api:performance:appraisal_detail"),
    "complaints": ("handler", "complaints:detail", "api:complaints:detail"),
}


@pytest.mark.parametrize("module", list(UNKNOWN))
def test_an_unknown_record_answers_the_404_page_and_a_json_404_without_internals(org, module):
    """Given a user who may open the module's records, when they ask for one that does not exist
    (on the page and on the API), then the page is the project's friendly 404 and the API a JSON
    404 with its detail and code, neither showing anything of the code or the settings."""
    who, page_name, api_name = UNKNOWN[module]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(org, who).user)
    page = client.get(reverse(page_name, args=[999_999]))
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    assert not _leaks(page.content.decode())
    api = client.get(reverse(api_name, args=[999_999]))
    assert api.status_code == 404 and set(api.json()) == {"detail", "code"}
    assert not _leaks(api.content.decode())


def test_the_audit_modules_refused_filter_answers_without_internals(org):
    """The data-security module has no record page: its one page and endpoint take filters. Given
    the auditor, when a filter is refused (an unknown category), then the API answers a JSON 400
    naming the field and the page a message, neither with internals."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.auditor.user)
    api = client.get(reverse("api:datasecurity:audit_event_list"), {"category": "nonsense"})
    assert api.status_code == 400 and api.json()["code"] == "invalid_category" and not _leaks(api.content.decode())
    page = client.get(reverse("datasecurity:audit_event_list"), {"category": "nonsense"})
    assert page.status_code in (200, 400) and not _leaks(page.content.decode())


# module -> (who, the view module whose page fails, its url)
FAILING = {
    "callcenter": ("hr", callcenter.views.org, lambda org: reverse("callcenter:employee_detail", args=[org.agent.pk])),
    "datasecurity": ("auditor", datasecurity.views.audit, lambda org: reverse("datasecurity:audit_event_list")),
    "attendance": ("agent", attendance.views.leave, lambda org: reverse("attendance:leave")),
    "performance": ("agent", performance.views.appraisals, lambda org: reverse("performance:my_appraisal")),
    "complaints": ("handler", complaints.views.complaints, lambda org: reverse("complaints:queue")),
}


@pytest.mark.parametrize("module", list(FAILING))
def test_a_failing_page_answers_the_500_page_without_internals(org, module, monkeypatch):
    """Given a page of the module that fails while rendering (an exception carrying a secret in
    its message), when it is requested in the test settings (DEBUG off, as in production), then
    the answer is the project's 500 page with the request id to quote and nothing of the error."""

    def broken(*args, **kwargs):
        raise RuntimeError("SECRET_KEY=leaked and SELECT * FROM auth_user")

    who, view_module, url = FAILING[module]
    monkeypatch.setattr(view_module, "render", broken)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(org, who).user)
    response = client.get(url(org))
    html = response.content.decode()
    assert response.status_code == 500 and not settings.DEBUG
    assert 'id="request-id"' in html and response["X-Request-ID"] in html
    assert "leaked" not in html and not _leaks(html)
