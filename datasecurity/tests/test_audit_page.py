"""The auditor's page reads like a record, not developer output (SEC-2, SEC-3): actions by their
label, objects by kind and name with a link to their history, actors by full name, local times
with the zone; filters are choices; the filtered events export as CSV or XLSX (recorded in the
trail) and the chain is verified on request, by the auditor only."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from callcenter.models import JobRun
from callcenter.roles import Role
from datasecurity import services
from datasecurity import tasks as datasecurity_tasks
from datasecurity.models import AuditEvent, AuditExport
from datasecurity.rules.actions import AUDIT_ACTION_LABELS
from datasecurity.selectors import AUDIT_VERIFY_JOB
from datasecurity.tests.test_audit_chain import _tamper

pytestmark = pytest.mark.django_db

LIST = "datasecurity:audit_event_list"
ROLE_USERS = {
    Role.AGENT: "agent",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}


def _english(client, user):
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)


def test_an_event_reads_as_label_name_full_name_and_local_time(client, org):
    # given HR changed the agent's record
    event = services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent, changes={"x": [1, 2]})
    _english(client, org.auditor.user)
    # when the auditor opens the trail
    html = client.get(reverse(LIST)).content.decode()
    row = html[html.index(f'data-event="{event.pk}"') :]
    row = row[: row.index("</tr>")]
    # then the action is a label (the code only in an attribute), the object is "Employee: name"
    # with a link to its own history, the actor is HR's full name with the username second
    assert "Employee record changed" in row and ">employee.update<" not in row
    assert "callcenter.employee #" not in row and "Employee" in row and str(org.agent) in row
    assert f"object_type=callcenter.employee&amp;object_id={org.agent.pk}" in row
    assert "黄丽" in row and ">hr<" in row
    # and the time is the site's local time, the zone named in the heading
    local = timezone.localtime(event.occurred_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")
    utc = event.occurred_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert local in row and local != utc
    assert "Time (Asia/Shanghai)" in html


def test_filters_are_choices_of_actions_modules_and_models(client, org):
    _english(client, org.auditor.user)
    html = client.get(reverse(LIST)).content.decode()
    assert '<select name="action" id="filter-action"' in html
    assert '<option value="leave_request.approve">Leave approved</option>' in html
    assert '<select name="object_type" id="filter-object-type"' in html
    assert '<option value="attendance">All of Attendance</option>' in html or 'value="attendance"' in html
    assert '<option value="callcenter.employee">Employee</option>' in html
    assert '<input type="search" name="actor"' in html


def test_a_chosen_action_is_exact_a_module_keeps_its_models_and_the_actor_is_found_by_name(client, org):
    services.audit_record(actor=org.supervisor.user, action="leave_request.approve", obj=org.agent)
    services.audit_record(actor=org.manager.user, action="leave_request.approve_step", obj=org.agent)
    services.audit_record(actor=org.hr.user, action="roster.assign", object_type="attendance.rosterentry", object_id=1)
    client.force_login(org.auditor.user)

    def actions(**filters):
        response = client.get(reverse(LIST), filters)
        return [e.action for e in response.context["page_obj"]]

    assert actions(action="leave_request.approve") == ["leave_request.approve"]
    assert actions(action="leave_request.") == ["leave_request.approve_step", "leave_request.approve"]
    assert actions(object_type="attendance") == ["roster.assign"]
    assert actions(actor="李娜") == ["leave_request.approve"]  # the supervisor's full name
    assert actions(actor="manag") == ["leave_request.approve_step"]  # or the username


def test_the_page_reads_a_bounded_number_of_queries(client, org, django_assert_max_num_queries):
    people = [org.agent, org.peer, org.supervisor, org.manager, org.hr]
    for i in range(60):
        services.audit_record(actor=people[i % 5].user, action="employee.update", obj=people[(i + 1) % 5])
    client.force_login(org.auditor.user)
    # 15 for the trail, one more for the panel "Your exports" (the background exports)
    with django_assert_max_num_queries(16):
        response = client.get(reverse(LIST))
    assert response.status_code == 200 and len(response.context["page_obj"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 2


# --- Export -------------------------------------------------------------------------------------


def _export(client, **data):
    return client.post(reverse("datasecurity:audit_export"), data)


def test_the_export_holds_the_filtered_events_readable_and_is_itself_recorded(client, org):
    services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)
    services.audit_record(actor=org.hr.user, action="=HYPERLINK(1)", object_repr="=cmd|x", object_type="x.y")
    _english(client, org.auditor.user)
    response = _export(client, format="csv", action="employee.update")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "Time (Asia/Shanghai)" and len(rows) == 2
    assert rows[1][2:7] == ["黄丽", "hr", "Employee record changed", "employee.update", "employee"]
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.actor == org.auditor.user
    assert exported.changes == {"format": "csv", "rows": 1, "filters": {"action": "employee.update"}}
    # formulas are neutralised in the file
    response = _export(client, format="csv", object_type="x.y")
    assert "'=cmd|x" in response.content.decode("utf-8-sig")


def test_the_xlsx_export_opens_as_a_workbook(client, org):
    services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)
    client.force_login(org.auditor.user)
    response = _export(client, format="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 6).value == "employee.update"


def test_a_too_large_or_unknown_export_is_refused_with_a_message_and_records_nothing(client, org, monkeypatch):
    for _i in range(3):
        services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)
    # more than the immediate export holds goes to the background (test_background_export.py), up to
    # its cap: above the cap, the export is refused with a message and nothing is recorded
    monkeypatch.setattr(services.audit, "AUDIT_EXPORT_MAX_ROWS", 2)
    monkeypatch.setattr(services.background_export, "AUDIT_EXPORT_BACKGROUND_MAX_ROWS", 2)
    _english(client, org.auditor.user)
    response = _export(client, format="csv", action="employee.update")
    assert response.status_code == 302 and response["Location"].endswith("?action=employee.update")
    assert "3 events match, more than the 2 an export may hold" in client.get(response["Location"]).content.decode()
    response = _export(client, format="pdf")
    assert response.status_code == 302
    assert "Choose CSV or XLSX." in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action__in=["audit.export", "audit.export_request"]).exists()
    assert not AuditExport.objects.exists()


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_only_the_auditor_exports_or_verifies(client, org, role, celery_eager, django_capture_on_commit_callbacks):
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    allowed = role == Role.SECURITY_AUDITOR
    assert _export(client, format="csv").status_code == (200 if allowed else 403)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("datasecurity:audit_verify")).status_code == (302 if allowed else 403)
    assert client.get(reverse("datasecurity:audit_verify_status")).status_code == (200 if allowed else 403)
    assert AuditEvent.objects.filter(action__in=["audit.export", "audit.verify_request"]).count() == (2 * allowed)
    assert JobRun.objects.filter(job=AUDIT_VERIFY_JOB).count() == allowed


def test_export_and_verify_need_the_csrf_token_and_a_post(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.auditor.user)
    assert client.post(reverse("datasecurity:audit_export"), {"format": "csv"}).status_code == 403
    assert client.post(reverse("datasecurity:audit_verify")).status_code == 403
    assert client.get(reverse("datasecurity:audit_export"), {"format": "csv"}).status_code == 405
    assert client.get(reverse("datasecurity:audit_verify")).status_code == 405
    assert not AuditEvent.objects.filter(action__in=["audit.export", "audit.verify_request"]).exists()


# --- Verify the chain ---------------------------------------------------------------------------


def test_verify_now_reports_an_intact_chain_then_the_first_broken_link(
    client, org, celery_eager, django_capture_on_commit_callbacks
):
    events = [services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent) for _i in range(4)]
    _english(client, org.auditor.user)
    assert "The chain has not been verified yet." in client.get(reverse(LIST)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("datasecurity:audit_verify"))
    assert response.status_code == 302
    html = client.get(reverse(LIST)).content.decode()
    assert 'data-status="succeeded"' in html and "The chain is intact" in html
    assert AuditEvent.objects.filter(action="audit.verify_request", actor=org.auditor.user).count() == 1
    # when someone edits an event behind the application's back
    _tamper("UPDATE datasecurity_auditevent SET object_repr = 'forged' WHERE id = %s", [events[1].pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("datasecurity:audit_verify"))
    html = client.get(reverse(LIST)).content.decode()
    assert 'data-status="failed"' in html and "The chain is broken" in html
    detail = JobRun.objects.filter(job=AUDIT_VERIFY_JOB).order_by("-started_at").first().detail.splitlines()
    assert detail[0] == "audit chain broken:"  # what tells a broken chain from a check that failed
    first_problem = detail[1]
    assert first_problem == f"event {events[1].pk}: content does not match its hash (edited)"
    assert first_problem in html


def test_a_request_waiting_for_a_worker_is_shown_and_polled(client, org):
    # given no worker has picked up the auditor's request yet (the task goes to the broker)
    services.audit_chain_verify_request(actor=org.auditor.user)  # on_commit never runs here
    client.force_login(org.auditor.user)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    assert 'data-status="requested"' in html and 'hx-trigger="every 2s"' in html and "disabled" in html


def test_a_running_verification_is_polled_until_it_ends(client, org):
    JobRun.objects.create(job=AUDIT_VERIFY_JOB, started_at=timezone.now())
    client.force_login(org.auditor.user)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    assert 'data-status="running"' in html and 'hx-trigger="every 2s"' in html and "<html" not in html
    assert "disabled" in html


def test_a_request_no_worker_took_for_half_an_hour_is_shown_stalled_and_not_polled(client, org, monkeypatch):
    # given a request that no worker picked up, read 31 minutes later (the audit table is
    # append-only: the clock moves, not the event)
    services.audit_chain_verify_request(actor=org.auditor.user)
    _english(client, org.auditor.user)
    later = timezone.now() + datetime.timedelta(minutes=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    # then the page says no worker took it, stops polling and offers to ask again
    assert 'data-status="stalled"' in html and "no worker picked it up" in html
    assert "hx-trigger" not in html and "disabled" not in html


def test_a_run_whose_worker_died_is_shown_stalled_after_half_an_hour(client, org):
    JobRun.objects.create(job=AUDIT_VERIFY_JOB, started_at=timezone.now() - datetime.timedelta(minutes=31))
    _english(client, org.auditor.user)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    assert 'data-status="stalled"' in html and "its worker stopped" in html
    assert "hx-trigger" not in html and "disabled" not in html


def test_a_check_that_fails_is_an_error_not_a_broken_chain(client, org, celery_eager, monkeypatch):
    # given the walk itself fails (the database went away mid-way)
    def walk_fails():
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(datasecurity_tasks, "verify", walk_fails)
    with pytest.raises(ConnectionError):
        datasecurity_tasks.audit_chain_verify_requested.delay()
    # then the run ends (it does not run forever) and the page says the check failed, not the chain
    run = JobRun.objects.get(job=AUDIT_VERIFY_JOB)
    assert run.status == "failed" and run.finished_at is not None
    _english(client, org.auditor.user)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    assert 'data-status="error"' in html and "says nothing about the chain" in html
    assert "server closed the connection unexpectedly" in html and "The chain is broken" not in html


BROKEN = ["event 7: content does not match its hash (edited)", "event 9: missing (removed)"]


@pytest.mark.parametrize(
    "detail",
    ["RuntimeError: audit chain broken: " + "; ".join(BROKEN), "audit chain broken:\n" + "\n".join(BROKEN)],
    ids=["nightly job", "auditor's request"],
)
def test_the_nightly_job_and_the_request_report_a_broken_chain_alike(client, org, detail):
    JobRun.objects.create(
        job=AUDIT_VERIFY_JOB, started_at=timezone.now(), finished_at=timezone.now(), status="failed", detail=detail
    )
    _english(client, org.auditor.user)
    html = client.get(reverse("datasecurity:audit_verify_status")).content.decode()
    assert 'data-status="failed"' in html and "The chain is broken" in html
    assert "\n".join(BROKEN) in html


def test_every_new_action_of_the_page_has_a_label():
    with translation.override("en"):
        assert str(AUDIT_ACTION_LABELS["audit.export"]) == "Audit trail exported"
        assert str(AUDIT_ACTION_LABELS["audit.verify_request"]) == "Audit chain check requested"


def test_the_api_gives_the_label_the_full_name_and_the_kind_of_object_with_bounded_queries(
    client, org, django_assert_max_num_queries
):
    people = [org.agent, org.peer, org.supervisor, org.hr]
    for i in range(20):
        services.audit_record(actor=people[i % 4].user, action="employee.update", obj=people[(i + 1) % 4])
    _english(client, org.auditor.user)
    with django_assert_max_num_queries(12):
        data = client.get(reverse("api:datasecurity:audit_event_list"), {"action": "employee.update"}).json()
    first = data["results"][0]
    assert first["action"] == "employee.update" and first["action_label"] == "Employee record changed"
    assert first["actor"] == "hr" and first["actor_name"] == "黄丽"
    assert first["object_type"] == "callcenter.employee" and first["object_type_label"] == "employee"


def test_the_export_and_its_event_commit_together(org, monkeypatch):
    # given the file cannot be written; when the auditor exports, then no event says it was
    services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services.audit, "csv_file", broken)
    with pytest.raises(OSError):
        services.audit_export(actor=org.auditor.user, filters={}, fmt="csv")
    assert not AuditEvent.objects.filter(action="audit.export").exists()
