"""Background exports of the audit trail (SEC-2): a selection larger than the immediate export's
bound is written by a Celery task in chunks (keyset by id, bounded memory), with its progress,
into private storage with its SHA-256; requesting and downloading are audited; the security
auditor alone requests, follows and downloads (any auditor may download a colleague's export);
a failure records its error and a run that stops writing reads stalled."""

import csv
import datetime
import hashlib
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from callcenter.roles import Role
from datasecurity import services
from datasecurity.models import AuditEvent, AuditExport, AuditExportStatus
from datasecurity.selectors import AUDIT_EXPORT_STALLED_AFTER
from datasecurity.services import background_export, private_storage

pytestmark = pytest.mark.django_db

LIST = "datasecurity:audit_event_list"
PANEL = "datasecurity:audit_export_panel"
API_LIST = "api:datasecurity:audit_export_list"
ROLE_USERS = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]


@pytest.fixture(autouse=True)
def _private(settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _english(client, user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)


def _trail(org, n=25):
    people = [org.agent, org.peer, org.supervisor, org.hr]
    for i in range(n):
        services.audit_record(actor=org.hr.user, action="employee.update", obj=people[i % 4], changes={"i": i})
    services.audit_record(actor=org.hr.user, action="=HYPERLINK(1)", object_repr="=cmd|x", object_type="x.y")


def _request(org, capture, fmt="csv", filters=None, actor=None):
    with capture(execute=True):
        export = services.audit_export_request(actor=actor or org.auditor.user, filters=filters or {}, fmt=fmt)
    export.refresh_from_db()
    return export


def _content(export) -> bytes:
    with private_storage().open(export.stored_name, "rb") as handle:
        return handle.read()


def test_the_task_writes_the_filtered_events_in_chunks_with_progress(
    org, django_capture_on_commit_callbacks, monkeypatch
):
    # given 25 matching events and chunks of 4
    _trail(org)
    monkeypatch.setattr(background_export, "AUDIT_EXPORT_CHUNK", 4)
    progress = []
    real_update = background_export._update

    def spy(export_id, **fields):
        progress.append(fields.get("rows_written"))
        real_update(export_id, **fields)

    monkeypatch.setattr(background_export, "_update", spy)
    # when the auditor requests a CSV of employee.update and the task runs
    export = _request(org, django_capture_on_commit_callbacks, filters={"action": "employee.update"})
    # then it is done, progress saved after every chunk (4, 8, ... 25), the file in private storage
    assert export.status == AuditExportStatus.DONE and export.rows_total == export.rows_written == 25
    assert progress[:7] == [4, 8, 12, 16, 20, 24, 25]
    data = _content(export)
    assert export.size == len(data) and export.sha256 == hashlib.sha256(data).hexdigest()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    expected = list(AuditEvent.objects.filter(action="employee.update").order_by("-id").values_list("id", "hash"))
    # and its rows are exactly the filtered events, newest first (the request's own event is not one)
    assert [(int(r[0]), r[11]) for r in rows[1:]] == expected
    assert not AuditEvent.objects.filter(action="audit.export_request", id__in=[int(r[0]) for r in rows[1:]])


def test_formulas_are_neutralised_and_xlsx_continues_on_a_new_sheet(
    org, django_capture_on_commit_callbacks, monkeypatch
):
    _trail(org, n=5)
    csv_export = _request(org, django_capture_on_commit_callbacks, filters={"object_type": "x.y"})
    assert "'=cmd|x" in _content(csv_export).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in _content(csv_export).decode("utf-8-sig")
    # an XLSX of 7 events (the 6 and the CSV's request) with sheets of 4 rows: two sheets, each
    # with its header
    monkeypatch.setattr(background_export, "XLSX_ROWS_PER_SHEET", 4)
    monkeypatch.setattr(background_export, "AUDIT_EXPORT_CHUNK", 3)
    export = _request(org, django_capture_on_commit_callbacks, fmt="xlsx")
    workbook = load_workbook(io.BytesIO(_content(export)))
    first, second = workbook.worksheets
    assert export.rows_written == 7 and first.max_row == 5 and second.max_row == 4
    assert second.cell(1, 1).value == "#"
    ids = [first.cell(r, 1).value for r in range(2, 6)] + [second.cell(r, 1).value for r in range(2, 5)]
    selected = AuditEvent.objects.filter(id__lte=export.last_event_id).order_by("-id")
    assert ids == list(selected.values_list("id", flat=True))
    assert any(c.value == "'=cmd|x" for row in first.iter_rows() for c in row)


def test_request_and_download_are_audited_and_any_auditor_may_download(client, org, django_capture_on_commit_callbacks):
    _trail(org, n=3)
    export = _request(org, django_capture_on_commit_callbacks, filters={"action": "employee.update", "page": "2"})
    requested = AuditEvent.objects.get(action="audit.export_request")
    assert requested.actor == org.auditor.user and requested.object_id == str(export.pk)
    assert requested.changes["rows"] == 3 and requested.changes["filters"] == {"action": "employee.update"}
    # a second auditor downloads the first's export: served, and audited with both names
    org.other_dept.user.groups.add(Group.objects.get(name=Role.SECURITY_AUDITOR))
    client.force_login(org.other_dept.user)
    response = client.get(reverse("datasecurity:audit_export_download", args=[export.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == _content(export)
    downloaded = AuditEvent.objects.get(action="audit.export_download")
    assert downloaded.actor == org.other_dept.user and downloaded.changes["requested_by"] == "auditor"
    assert downloaded.changes["sha256"] == export.sha256


def test_a_changed_file_is_refused_and_the_refusal_audited(client, org, django_capture_on_commit_callbacks):
    _trail(org, n=2)
    export = _request(org, django_capture_on_commit_callbacks)
    with open(private_storage().path(export.stored_name), "ab") as handle:
        handle.write(b"x")
    client.force_login(org.auditor.user)
    response = client.get(reverse("api:datasecurity:audit_export_download", args=[export.pk]))
    assert response.status_code == 409 and response.json()["code"] == "export_tampered"
    assert AuditEvent.objects.filter(action="audit.export_tampered").count() == 1
    assert not AuditEvent.objects.filter(action="audit.export_download").exists()


def test_a_failure_records_its_error_removes_the_file_and_is_shown(
    client, org, django_capture_on_commit_callbacks, monkeypatch
):
    _trail(org, n=6)
    monkeypatch.setattr(background_export, "AUDIT_EXPORT_CHUNK", 2)
    calls = []

    def row_fails(event):
        calls.append(event.pk)
        if len(calls) > 3:
            raise OSError("disk full")
        return services.audit._export_row(event)

    monkeypatch.setattr(background_export, "_export_row", row_fails)
    export = _request(org, django_capture_on_commit_callbacks)
    assert export.status == AuditExportStatus.FAILED and export.error == "OSError: disk full"
    assert export.finished_at is not None and export.stored_name == "" and export.rows_written == 2
    assert not list(Path(private_storage().location).rglob("*.csv"))
    _english(client, org.auditor.user)
    html = client.get(reverse(LIST)).content.decode()
    assert 'data-state="failed"' in html and "OSError: disk full" in html and 'id="audit-exports" ' in html
    assert not _panel_polled(html)
    # a redelivered task leaves a failed export as it is
    assert services.audit_export_render(export_id=export.pk).status == AuditExportStatus.FAILED


def test_over_the_cap_is_refused_with_a_message_and_records_nothing(client, org, monkeypatch):
    _trail(org, n=3)
    monkeypatch.setattr(background_export, "AUDIT_EXPORT_BACKGROUND_MAX_ROWS", 2)
    _english(client, org.auditor.user)
    response = client.post(reverse(API_LIST), {"format": "csv"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "export_over_cap"
    assert "4 events match, more than the 2 an export may hold" in response.json()["detail"]
    assert not AuditExport.objects.exists()
    assert not AuditEvent.objects.filter(action="audit.export_request").exists()


def _panel_polled(html: str) -> bool:
    start = html.index('id="audit-exports"')
    return "data-polling" in html[start : html.index(">", start)]


def test_the_page_queues_a_large_selection_and_polls_only_while_running(client, org, monkeypatch):
    # given more events match than the immediate export holds
    _trail(org, n=3)
    monkeypatch.setattr(services.audit, "AUDIT_EXPORT_MAX_ROWS", 2)
    _english(client, org.auditor.user)
    # when the auditor presses CSV, then the export is queued (no worker here) and said so
    response = client.post(reverse("datasecurity:audit_export"), {"format": "csv", "action": "employee.update"})
    assert response.status_code == 302 and response["Location"].endswith("?action=employee.update")
    html = client.get(response["Location"]).content.decode()
    assert "written in the background" in html
    export = AuditExport.objects.get()
    assert export.filters == {"action": "employee.update"} and export.rows_total == 3
    # and the panel lists it, waiting, and is polled
    assert 'data-state="queued"' in html and _panel_polled(html)
    # running: a progress bar, still polled; the htmx poll answers the panel alone
    AuditExport.objects.filter(pk=export.pk).update(
        status="running", rows_written=1, started_at=timezone.now(), progress_at=timezone.now()
    )
    fragment = client.get(reverse(PANEL), headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="audit-exports"') and "<html" not in fragment
    assert "app-w-33" in fragment and "1 of 3 events written" in fragment and _panel_polled(fragment)
    # no progress for longer than the limit: stalled, not polled
    old = timezone.now() - AUDIT_EXPORT_STALLED_AFTER - datetime.timedelta(minutes=1)
    AuditExport.objects.filter(pk=export.pk).update(progress_at=old)
    fragment = client.get(reverse(PANEL)).content.decode()
    assert 'data-state="stalled"' in fragment and not _panel_polled(fragment)
    # done: a download link, not polled
    services.audit_export_render(export_id=export.pk)
    fragment = client.get(reverse(PANEL)).content.decode()
    assert 'data-state="done"' in fragment and not _panel_polled(fragment)
    assert reverse("datasecurity:audit_export_download", args=[export.pk]) in fragment


def test_the_panel_reads_a_bounded_number_of_queries(client, org, django_assert_max_num_queries):
    for i in range(12):
        AuditExport.objects.create(requested_by=org.auditor.user, file_format="csv", rows_total=20, rows_written=i)
    client.force_login(org.auditor.user)
    # the session, the user and their roles and employee record (8-9 queries), then one for the list
    with django_assert_max_num_queries(11):
        response = client.get(reverse(PANEL))
    assert response.content.decode().count("data-export=") == 10
    with django_assert_max_num_queries(11):
        assert len(client.get(reverse(API_LIST)).json()) == 10


@pytest.mark.parametrize("attribute", ROLE_USERS)
def test_only_the_auditor_requests_follows_and_downloads(client, org, attribute, django_capture_on_commit_callbacks):
    _trail(org, n=2)
    export = _request(org, django_capture_on_commit_callbacks)
    client.force_login(getattr(org, attribute).user)
    allowed = attribute == "auditor"
    ok = {True: (202, 200, 200, 200, 200), False: (403, 403, 403, 403, 403)}[allowed]
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(reverse(API_LIST), {"format": "xlsx"}, content_type="application/json")
    got = (
        posted.status_code,
        client.get(reverse(API_LIST)).status_code,
        client.get(reverse("api:datasecurity:audit_export_status", args=[export.pk])).status_code,
        client.get(reverse("api:datasecurity:audit_export_download", args=[export.pk])).status_code,
        client.get(reverse(PANEL)).status_code,
    )
    assert got == ok
    assert client.get(reverse("datasecurity:audit_export_download", args=[export.pk])).status_code == (
        200 if allowed else 403
    )
    assert AuditExport.objects.count() == 1 + allowed
    assert AuditEvent.objects.filter(action="audit.export_download").count() == 2 * allowed


def test_the_api_requests_reports_and_refuses_bad_input(client, org, django_capture_on_commit_callbacks):
    _trail(org, n=4)
    _english(client, org.auditor.user)
    url = reverse(API_LIST)
    for bad in ({"format": "pdf"}, {}, {"format": "csv", "since": "2026-02-30"}, {"format": "csv", "category": "x"}):
        assert client.post(url, bad, content_type="application/json").status_code == 400, bad
    assert not AuditExport.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"format": "csv", "action": "employee.update", "since": "2020-01-01"}, content_type="application/json"
        )
    assert response.status_code == 202
    export = AuditExport.objects.get()
    assert export.filters == {"action": "employee.update", "since": "2020-01-01"}
    data = client.get(reverse("api:datasecurity:audit_export_status", args=[export.pk])).json()
    assert data["state"] == "done" and data["rows_written"] == 4 and data["percent"] == 100
    assert data["download_url"] == reverse("api:datasecurity:audit_export_download", args=[export.pk])
    assert client.get(reverse("api:datasecurity:audit_export_status", args=[999999])).status_code == 404
    assert client.get(reverse("api:datasecurity:audit_export_download", args=[999999])).status_code == 404
    queued = AuditExport.objects.create(requested_by=org.auditor.user, file_format="csv")
    response = client.get(reverse("api:datasecurity:audit_export_download", args=[queued.pk]))
    assert response.status_code == 409 and response.json()["code"] == "export_not_ready"


def test_the_export_endpoints_are_in_the_schema(client, org):
    client.force_login(org.auditor.user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/audit/exports/"])
    assert "get" in paths["/api/v1/audit/exports/{id}/"] and "get" in paths["/api/v1/audit/exports/{id}/download/"]


def test_the_request_needs_the_csrf_token_and_the_panel_and_download_a_get(client, org):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(org.auditor.user)
    assert csrf_client.post(reverse(API_LIST), {"format": "csv"}).status_code == 403
    assert csrf_client.post(reverse("datasecurity:audit_export"), {"format": "csv"}).status_code == 403
    client.force_login(org.auditor.user)
    assert client.post(reverse(PANEL)).status_code == 405
    assert client.post(reverse("datasecurity:audit_export_download", args=[1])).status_code == 405
    assert not AuditExport.objects.exists()


def test_a_request_takes_only_the_format_and_the_filters(client, org):
    _trail(org, n=2)
    client.force_login(org.auditor.user)
    forged = {
        "format": "csv",
        "action": "employee.update",
        "status": "done",
        "requested_by": org.hr.user.pk,
        "rows_total": 1,
        "last_event_id": 1,
        "stored_name": "../../etc/passwd",
        "sha256": "0" * 64,
        "filters": {"actor": "x"},
    }
    assert client.post(reverse(API_LIST), forged, content_type="application/json").status_code == 202
    export = AuditExport.objects.get()
    assert export.requested_by == org.auditor.user and export.filters == {"action": "employee.update"}
    assert export.rows_total == 2 and export.last_event_id == AuditEvent.objects.order_by("-id")[1].pk
    assert export.status == AuditExportStatus.QUEUED and export.stored_name == "" and export.sha256 == ""
