"""The directory's export (issue 13): CSV and XLSX of the rows the reader may see with the page's
filters, audited (SEC-2); pay columns for HR only; an unknown format is a 404."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from callcenter import services
from callcenter.errors import NotFoundError
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "reader, expected, pay",
    [
        ("agent", {"张伟"}, False),
        ("supervisor", {"张伟", "王芳", "李娜", "陈静", "杨磊"}, False),
        ("other_dept", {"赵敏"}, False),
        ("hr", {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周强", "吴婷"}, True),
    ],
)
def test_the_csv_export_holds_the_remit_and_is_audited(org, reader, expected, pay):
    user = getattr(org, reader).user
    response = _client(user).get(reverse("callcenter:employee_export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert {row[1] for row in rows} == expected
    assert ("Monthly base pay" in header) == pay
    event = AuditEvent.objects.get(action="directory.export", actor=user)
    assert event.changes["rows"] == len(expected)
    assert event.changes["format"] == "csv"
    assert event.changes["pay"] is pay


def test_the_export_follows_the_page_filters(org):
    client = _client(org.hr.user)
    response = client.get(reverse("callcenter:employee_export", args=["csv"]), {"q": "z", "department": org.dept_b.pk})
    _header, *rows = _csv_rows(response)
    assert sorted(row[1] for row in rows) == sorted(["赵敏", "周强"])
    event = AuditEvent.objects.get(action="directory.export")
    assert event.changes["filters"]["q"] == "z"
    assert event.changes["filters"]["department"] == str(org.dept_b.pk)


def test_the_xlsx_export(org):
    response = _client(org.hr.user).get(reverse("callcenter:employee_export", args=["xlsx"]), {"team": org.a1.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Employee number"
    assert sorted(row[1] for row in values[1:]) == sorted(["张伟", "王芳", "李娜", "陈静", "杨磊"])
    assert AuditEvent.objects.filter(action="directory.export", changes__format="xlsx").exists()


def test_the_api_export_is_the_same_and_audited(org):
    client = _client(org.manager.user)
    response = client.get(reverse("api:callcenter:employee_export"), {"q": "ly", "file_format": "csv"})
    assert response.status_code == 200
    _header, *rows = _csv_rows(response)
    assert [row[1] for row in rows] == ["刘洋"]
    assert AuditEvent.objects.filter(action="directory.export", actor=org.manager.user).count() == 1
    assert client.get(reverse("api:callcenter:employee_export"), {"team": "abc"}).status_code == 400
    xlsx = client.get(reverse("api:callcenter:employee_export"), {"file_format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("fmt", ["pdf", "exe", "CSV"])
def test_an_unknown_format_is_refused_and_records_nothing(org, fmt):
    client = _client(org.hr.user)
    assert client.get(reverse("callcenter:employee_export", args=[fmt])).status_code == 404
    assert client.get(reverse("api:callcenter:employee_export"), {"file_format": fmt}).status_code == 400
    with pytest.raises(NotFoundError):
        services.directory_export(actor=org.hr.user, fmt=fmt)
    assert not AuditEvent.objects.filter(action="directory.export").exists()


def test_a_spreadsheet_formula_in_a_name_is_neutralised(org):
    services.employee_update(actor=org.hr.user, employee_id=org.agent.pk, name="=HYPERLINK(1)")
    _header, *rows = _csv_rows(_client(org.hr.user).get(reverse("callcenter:employee_export", args=["csv"])))
    assert "'=HYPERLINK(1)" in {row[1] for row in rows}


def test_the_export_needs_a_login(client):
    assert client.get(reverse("callcenter:employee_export", args=["csv"])).status_code == 302
