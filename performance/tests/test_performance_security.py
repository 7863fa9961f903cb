"""SECURITY.md classes 5 (injection) and 7 (sessions) for the metrics import, where performance had
no test of its own: a file HR uploads comes from another system, so what it holds (cells, its
name) is shown as text on the import pages; the token an import script pushes with dies with its
owner's password change and deactivation, and a refused push writes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.roles import Role
from callcenter.services import api_token_create, employee_deactivate
from callcenter.tests import factories as f
from callcenter.tests.factories import TEST_PASSWORD
from performance.models import AgentDailyMetric, MetricImport
from performance.tests.factories import csv_bytes, last_month_day, metric_row, push_row

SCRIPT = "<script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>.csv"
PUSH = "api:performance:metric_import_list"


@pytest.fixture
def month():
    return last_month_day(1)


def _hr_client(org):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.hr.user)
    return client


def _upload(client, data, name):
    return client.post(reverse("performance:metric_imports"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_markup_in_an_uploaded_files_cells_never_reaches_the_error_list(org, month):
    """Given a file whose employee number cell is a <script> tag and whose name is an <img> tag,
    when HR uploads it, then the page lists the row's error (row 2) without the markup, and
    nothing is written."""
    rows = [[SCRIPT, month.isoformat(), 1, 1, 1, ""]]
    response = _upload(_hr_client(org), csv_bytes(rows), IMG_NAME)
    html = response.content.decode()
    assert response.status_code == 400
    assert SCRIPT not in html and "<img src=x onerror" not in html
    assert '<tr><td class="nowrap">2</td>' in html
    assert not AgentDailyMetric.objects.exists() and not MetricImport.objects.exists()


def test_the_name_of_an_imported_file_is_text_on_the_import_pages(org, month):
    """Given a good file named like an <img> tag, when HR imports it, then the import list and
    the import's page show the name escaped."""
    client = _hr_client(org)
    response = _upload(client, csv_bytes([metric_row(org.agent, month)]), IMG_NAME)
    assert response.status_code in (200, 302)
    record = MetricImport.objects.get()
    for url in (reverse("performance:metric_imports"), reverse("performance:metric_import_detail", args=[record.pk])):
        html = client.get(url).content.decode()
        assert "<img src=x onerror" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html, url


def _push(key, rows):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.post(reverse(PUSH), {"rows": rows}, format="json")


def test_an_import_scripts_token_dies_with_a_password_change(org, month):
    """Given HR's import script pushing with HR's token, when HR changes their password, then the
    next push is refused (401) and writes nothing."""
    _token, key = api_token_create(actor=org.hr.user, name="import script")
    assert _push(key, [push_row(org.agent, month)]).status_code == 201
    new = "Brand-new-Passw0rd!"
    changed = _hr_client(org).post(
        reverse("callcenter:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302
    refused = _push(key, [push_row(org.peer, month)])
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    assert list(AgentDailyMetric.objects.values_list("employee_id", flat=True)) == [org.agent.pk]


def test_an_import_scripts_token_and_session_die_with_deactivation(org, month):
    """Given a second HR user's import script and browser session, when company HR deactivates
    them, then the token's push is refused (401), the upload page asks for a login, and nothing
    is written."""
    leaver = f.EmployeeFactory(user=f.UserFactory(username="hr_leaver", roles=[Role.HR]), team=org.b1)
    _token, key = api_token_create(actor=leaver.user, name="import script")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(leaver.user)
    assert browser.get(reverse("performance:metric_imports")).status_code == 200
    employee_deactivate(actor=org.hr.user, employee_id=leaver.pk, left_on=timezone.localdate())
    refused = _push(key, [push_row(org.agent, month)])
    assert refused.status_code == 401
    page = _upload(browser, csv_bytes([metric_row(org.agent, month + datetime.timedelta(days=1))]), "m.csv")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert not AgentDailyMetric.objects.exists() and not MetricImport.objects.exists()
