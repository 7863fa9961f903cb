"""Bonus sheet pages and API (PRF-4): permission matrix, the workflow through the pages, exports
with progress, checksum-verified and audited downloads, query-count bounds, OpenAPI schema."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from callcenter.tests.factories import EmployeeFactory
from datasecurity.models import AuditEvent
from datasecurity.services import private_storage
from performance import services
from performance.models import BonusLine, BonusSheetFile
from performance.tests.factories import BONUS_MONTH, approver_hr, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db

USERS = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]
READERS = {"leader", "hr"}
WRITERS = {"hr"}


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def sheet(org):
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 85), (org.other_team, 72), (org.other_dept, None)]:
        bonus_appraisal_for(employee, cycle, score)
    return services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)


def _export(org, sheet, django_capture_on_commit_callbacks, file_format="pdf", user=None):
    with django_capture_on_commit_callbacks(execute=True):
        file = services.bonus_sheet_file_request(
            actor=(user or org.hr.user), sheet_id=sheet.pk, file_format=file_format, language="zh-hans"
        )
    file.refresh_from_db()
    return file


# --- Permission matrix -----------------------------------------------------------------------------------


READ_PAGES = [
    ("performance:bonus_sheet_list", False),
    ("performance:bonus_sheet_detail", True),
    ("performance:bonus_sheet_files", True),
    ("api:performance:bonus_sheet_list", False),
    ("api:performance:bonus_sheet_detail", True),
    ("api:performance:bonus_sheet_lines", True),
    ("api:performance:bonus_sheet_exports", True),
]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name,with_pk", READ_PAGES)
def test_read_matrix(client, org, sheet, who, name, with_pk):
    """HR and company leaders read bonus sheets; every other role gets 403."""
    client.force_login(getattr(org, who).user)
    response = client.get(reverse(name, args=[sheet.pk] if with_pk else []))
    assert response.status_code == (200 if who in READERS else 403)


WRITE_ENDPOINTS = [
    ("performance:bonus_sheet_recompute", {}),
    ("performance:bonus_sheet_approve", {}),
    ("performance:bonus_sheet_correct", {"reason": "x"}),
    ("performance:bonus_sheet_adjust", {"employee_no": "x", "kind": "reward", "title": "x", "amount": "1"}),
    ("api:performance:bonus_sheet_recompute", {}),
    ("api:performance:bonus_sheet_approve", {}),
    ("api:performance:bonus_sheet_correct", {"reason": "x"}),
    ("api:performance:bonus_sheet_adjust", {"employee_no": "x", "kind": "reward", "title": "x", "amount": "1"}),
]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name,body", WRITE_ENDPOINTS)
def test_write_matrix(client, org, sheet, who, name, body):
    """Only HR acts on a sheet; a company leader reads but may not change it (403). ``hr`` prepared
    the sheet, so the API refuses their approval (two people, SEC-2; the page says so)."""
    client.force_login(getattr(org, who).user)
    response = client.post(reverse(name, args=[sheet.pk]), body)
    if who in WRITERS and name == "api:performance:bonus_sheet_approve":
        assert response.status_code == 403 and response.json()["code"] == "approver_changed_sheet"
    elif who in WRITERS:
        assert response.status_code in (200, 302, 400, 409)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", USERS)
def test_prepare_matrix(client, org, who):
    bonus_cycle_for()
    client.force_login(getattr(org, who).user)
    page = client.post(reverse("performance:bonus_sheet_prepare"), {"month": "2026-03"})
    api = client.post(reverse("api:performance:bonus_sheet_prepare"), {"month": "2026-03"})
    if who in WRITERS:
        assert page.status_code == 302 and api.status_code == 409  # the page prepared it first
    else:
        assert page.status_code == 403 and api.status_code == 403


@pytest.mark.parametrize("who", USERS)
def test_download_matrix(client, org, sheet, who, django_capture_on_commit_callbacks):
    file = _export(org, sheet, django_capture_on_commit_callbacks, "csv")
    client.force_login(getattr(org, who).user)
    page = client.get(reverse("performance:bonus_file_download", args=[file.pk]))
    api = client.get(reverse("api:performance:bonus_file_download", args=[file.pk]))
    expected = 200 if who in READERS else 403
    assert page.status_code == expected and api.status_code == expected
    audits = AuditEvent.objects.filter(action="bonus_sheet.export").count()
    assert audits == (2 if who in READERS else 0)


# --- Workflow through the pages and the API --------------------------------------------------------


def test_hr_prepares_adjusts_approves_and_corrects_through_the_pages(client, org):
    """Given the locked March cycle, HR prepares the sheet on the list page, adds a reward, a
    colleague approves it (two people, SEC-2), and HR corrects it; each step says what happened and
    the sheet page shows the state."""
    cycle = bonus_cycle_for()
    bonus_appraisal_for(org.agent, cycle, 95)
    bonus_appraisal_for(org.peer, cycle, 85)
    client.force_login(org.hr.user)
    response = client.post(reverse("performance:bonus_sheet_prepare"), {"month": "2026-03"}, follow=True)
    sheet = response.context["sheet"]
    body = response.content.decode()
    assert sheet.employees == 2 and 'id="bonus-approve"' not in body and "bonus-approve-two-people" in body
    response = client.post(
        reverse("performance:bonus_sheet_adjust", args=[sheet.pk]),
        {"employee_no": org.peer.employee_no, "kind": "reward", "title": "服务明星奖", "amount": "300"},
        follow=True,
    )
    body = response.content.decode()
    assert "服务明星奖" in body and "1300.00" in body
    response = client.post(
        reverse("performance:bonus_sheet_adjust", args=[sheet.pk]),
        {"employee_no": "NOPE", "kind": "reward", "title": "x", "amount": "1"},
        follow=True,
    )
    assert "NOPE" in response.content.decode()  # "Employee NOPE has no line on this sheet."
    client.force_login(approver_hr(org).user)
    body = client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).content.decode()
    assert 'id="bonus-approve"' in body and "bonus-approve-two-people" not in body
    client.post(reverse("performance:bonus_sheet_approve", args=[sheet.pk]))
    response = client.post(reverse("performance:bonus_sheet_approve", args=[sheet.pk]), follow=True)
    assert response.status_code == 200 and 'data-status="approved"' in response.content.decode()
    assert "bonus-adjust-form" not in response.content.decode() and "bonus-correct-form" in response.content.decode()
    client.force_login(org.hr.user)
    response = client.post(
        reverse("performance:bonus_sheet_correct", args=[sheet.pk]), {"reason": "基数调整"}, follow=True
    )
    new = response.context["sheet"]
    assert new.version == 2 and new.status == "draft"
    assert "基数调整" in response.content.decode() and "bonus-versions" in response.content.decode()


def test_lines_are_paginated_filtered_and_explained(client, org, sheet):
    client.force_login(org.leader.user)
    url = reverse("performance:bonus_sheet_detail", args=[sheet.pk])
    response = client.get(url, {"department": org.dept_b.pk})
    lines = list(response.context["page_obj"])
    assert [line.employee_name for line in lines] == ["赵敏"]
    body = response.content.decode()
    assert "bonus-explain-" in body and "PRF-4" in body
    assert "bonus-adjust-form" not in body and "bonus-approve" not in body  # a leader only reads
    response = client.get(url, {"department": "not-a-number"})
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 4


def test_api_workflow_and_refusals(client, org):
    cycle = bonus_cycle_for(status="open")
    bonus_appraisal_for(org.agent, cycle, 95)
    client.force_login(org.hr.user)
    response = client.post(reverse("api:performance:bonus_sheet_prepare"), {"month": "2026-03"})
    assert response.status_code == 201, response.json()
    data = response.json()
    pk = data["id"]
    assert data["overall"]["total"] == "1200.00" and data["departments"][0]["department_name"] == "客服一部"
    response = client.post(reverse("api:performance:bonus_sheet_approve", args=[pk]))
    assert response.status_code == 409 and response.json()["code"] == "cycle_not_locked"
    response = client.post(reverse("api:performance:bonus_sheet_correct", args=[pk]), {"reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "correct_draft"
    response = client.post(
        reverse("api:performance:bonus_sheet_adjust", args=[pk]),
        {"employee_no": org.agent.employee_no, "kind": "penalty", "title": "违规", "amount": "100"},
    )
    assert response.status_code == 200 and response.json()["total"] == "1100.00"
    assert response.json()["explanation"][-1]["article"] == "PEN-1"
    line_pk = response.json()["id"]
    response = client.delete(reverse("api:performance:bonus_adjustment_remove", args=[pk, line_pk, 0]))
    assert response.status_code == 200 and response.json()["total"] == "1200.00"
    response = client.post(reverse("api:performance:bonus_sheet_prepare"), {"month": "2026-13"})
    assert response.status_code == 400
    response = client.get(reverse("api:performance:bonus_sheet_lines", args=[pk]))
    assert response.json()["count"] == 1


# --- Exports --------------------------------------------------------------------------------------------------


def test_export_pdf_is_rendered_stored_with_checksum_and_downloaded(
    client, org, sheet, django_capture_on_commit_callbacks
):
    """When HR requests the PDF, then the task renders it (progress 100), stores it privately with
    its SHA-256 and size, and the download serves exactly those bytes, audited."""
    file = _export(org, sheet, django_capture_on_commit_callbacks, "pdf")
    assert file.status == "done" and file.progress == 100 and file.finished_at
    stored = private_storage().open(file.stored_name, "rb").read()
    assert stored.startswith(b"%PDF-") and len(stored) == file.size
    assert hashlib.sha256(stored).hexdigest() == file.sha256
    client.force_login(org.leader.user)
    response = client.get(reverse("performance:bonus_file_download", args=[file.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="bonus_sheet.export", actor=org.leader.user).count() == 1
    status = client.get(reverse("api:performance:bonus_file_status", args=[file.pk])).json()
    assert status["status"] == "done" and status["download_url"].endswith(f"/{file.pk}/download/")


def test_xlsx_and_csv_exports_neutralise_formulas(org, sheet, django_capture_on_commit_callbacks):
    line = BonusLine.objects.get(sheet=sheet, employee=org.peer)
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="reward", title="=HYPERLINK(1)", amount="5")
    csv_file = _export(org, sheet, django_capture_on_commit_callbacks, "csv")
    text = private_storage().open(csv_file.stored_name, "rb").read().decode("utf-8-sig")

    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "王芳" in cells and not any(c.startswith(("=", "+", "@")) for c in cells)
    assert "1,000.00" not in text and "1005.00" in text  # plain numbers in the file
    xlsx_file = _export(org, sheet, django_capture_on_commit_callbacks, "xlsx")

    workbook = load_workbook(private_storage().open(xlsx_file.stored_name, "rb"))
    rows = list(workbook.active.iter_rows(values_only=True))
    # the header, four lines and the totals row (callcenter.exports)
    assert rows[0][0] in ("Department", "部门") and len(rows) == 6 and rows[-1][0] in ("Total", "合计")
    assert all(not str(c).startswith("=") for row in rows for c in row if c is not None)


def test_tampered_file_is_refused_and_recorded(client, org, sheet, django_capture_on_commit_callbacks):
    file = _export(org, sheet, django_capture_on_commit_callbacks, "csv")
    path = private_storage().path(file.stored_name)
    with open(path, "ab") as handle:
        handle.write(b"\n=1+1,tampered")
    client.force_login(org.hr.user)
    api = client.get(reverse("api:performance:bonus_file_download", args=[file.pk]))
    assert api.status_code == 409 and api.json()["code"] == "file_tampered"
    page = client.get(reverse("performance:bonus_file_download", args=[file.pk]), follow=True)
    assert page.status_code == 200 and page.redirect_chain
    assert AuditEvent.objects.filter(action="bonus_sheet.export_tampered").count() == 2
    assert AuditEvent.objects.filter(action="bonus_sheet.export").count() == 0


def test_failed_render_is_recorded_with_its_error(org, sheet, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("performance.exports.bonus_sheet_pdf", broken)
    file = _export(org, sheet, django_capture_on_commit_callbacks, "pdf")
    assert file.status == "failed" and "font missing" in file.error and not file.stored_name


def test_render_twice_changes_nothing(org, sheet, django_capture_on_commit_callbacks):
    file = _export(org, sheet, django_capture_on_commit_callbacks, "csv")
    again = services.bonus_sheet_file_render(file_id=file.pk)
    assert again.sha256 == file.sha256 and again.stored_name == file.stored_name


def test_files_card_polls_while_pending_and_stops_when_done(client, org, sheet):
    pending = BonusSheetFile.objects.create(sheet=sheet, file_format="pdf", requested_by=org.hr.user, progress=40)
    client.force_login(org.hr.user)
    body = client.get(reverse("performance:bonus_sheet_files", args=[sheet.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and "40%" in body
    pending.status = "failed"
    pending.error = "x"
    pending.save()
    body = client.get(reverse("performance:bonus_sheet_files", args=[sheet.pk])).content.decode()
    assert "every 1s" not in body


def test_superseded_version_keeps_its_files(client, org, sheet, django_capture_on_commit_callbacks):
    """Given an export of v1 (its cycle is locked), when v1 is approved and corrected, then v1's
    file still downloads and v1's page still opens."""
    file = _export(org, sheet, django_capture_on_commit_callbacks, "csv")
    services.bonus_sheet_approve(actor=approver_hr(org).user, sheet_id=sheet.pk)
    services.bonus_sheet_correct(actor=org.hr.user, sheet_id=sheet.pk, reason="更正")
    client.force_login(org.hr.user)
    assert client.get(reverse("performance:bonus_file_download", args=[file.pk])).status_code == 200
    assert client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).status_code == 200


# --- Query bounds and schema ----------------------------------------------------------------------------------


def test_lists_have_bounded_queries(client, org, django_assert_max_num_queries):
    cycle = bonus_cycle_for()
    for employee in (org.agent, org.peer, org.other_team, org.other_dept, org.supervisor, org.manager):
        bonus_appraisal_for(employee, cycle, 80)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    for i in range(5):
        line = BonusLine.objects.filter(sheet=sheet)[i]
        services.bonus_line_adjust(
            actor=org.hr.user, line_id=line.pk, kind="reward", title=f"奖{i}", amount=Decimal("10")
        )
    client.force_login(org.hr.user)
    # Constant, whatever the number of lines. Since SEC-2 the page's read is audited: + 3 for the
    # event (head row, event, head) + 2 for its transaction (a savepoint in a test), and + 2 for
    # who changed the version (the two-person rule); the API's reads the same, without the last.
    with django_assert_max_num_queries(23):
        assert client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("performance:bonus_sheet_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("api:performance:bonus_sheet_list")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("api:performance:bonus_sheet_lines", args=[sheet.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("api:performance:bonus_sheet_detail", args=[sheet.pk])).status_code == 200


def test_prepare_queries_do_not_grow_with_the_number_of_employees(org, django_assert_max_num_queries):
    cycle = bonus_cycle_for()
    for employee in EmployeeFactory.create_batch(60, team=org.a1, department=org.dept_a):
        bonus_appraisal_for(employee, cycle, 91)
    with django_assert_max_num_queries(25):
        sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    assert sheet.employees == 60


def test_every_endpoint_is_in_the_openapi_schema(client, org):
    client.force_login(org.hr.user)
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    body = response.content.decode()
    for fragment in (
        "/api/v1/performance/bonus-sheets/",
        "/api/v1/performance/bonus-sheets/prepare/",
        "/api/v1/performance/bonus-sheets/{id}/",
        "/api/v1/performance/bonus-sheets/{id}/lines/",
        "/api/v1/performance/bonus-sheets/{id}/approve/",
        "/api/v1/performance/bonus-sheets/{id}/correct/",
        "/api/v1/performance/bonus-sheets/{id}/recompute/",
        "/api/v1/performance/bonus-sheets/{id}/adjustments/",
        "/api/v1/performance/bonus-sheets/{id}/exports/",
        "/api/v1/performance/bonus-exports/{id}/",
        "/api/v1/performance/bonus-exports/{id}/download/",
    ):
        assert fragment in body, fragment
