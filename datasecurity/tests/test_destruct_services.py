"""Destruction of data no longer needed (SEC-4): what is due follows the retention schedule; a
request freezes what it asks to destroy; it runs only once approved by somebody other than its
requester; the job really anonymises and deletes (files gone from storage) and writes the
destruction register, which PostgreSQL refuses to change."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from attendance.models import LeaveCertificate, LeaveStatus
from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.tests import factories as f
from complaints.models import Complaint, ComplaintAttachment
from datasecurity import selectors, services
from datasecurity.models import (
    AuditEvent,
    DestructionMethod,
    DestructionRecord,
    DestructionRequest,
    DestructionRequestStatus,
    RetentionPeriod,
)
from datasecurity.rules.destruct import DESTRUCTION_CATEGORIES
from datasecurity.tests.factories.destruct import agent_metrics, closed_complaint, evidence, leave_certificate
from performance.models import AgentDailyMetric

pytestmark = pytest.mark.django_db

THREE_YEARS, TWO_YEARS = 3 * 365, 2 * 365


@pytest.fixture(autouse=True)
def _private(settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _due(org) -> dict[str, int]:
    return {row.code: row.due.quantity for row in selectors.destruction_due(user=org.hr.user)}


def _approved_run(org, request, django_capture_on_commit_callbacks):
    """The auditor approves; the job runs after commit (eager Celery), and so do the file deletions."""
    with django_capture_on_commit_callbacks(execute=True):
        services.destruction_request_approve(actor=org.auditor.user, request_id=request.pk)
    return DestructionRequest.objects.get(pk=request.pk)


# --- What is due (SEC-4: the retention schedule) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("closed_days_ago", "due"),
    [(THREE_YEARS + 1, 1), (THREE_YEARS - 1, 0), (10, 0)],
)
def test_closed_complaints_fall_due_after_their_period_at_the_boundary(org, closed_days_ago, due):
    """Given a complaint closed ``closed_days_ago`` days ago and the default period of 3 years,
    then its contacts and its evidence are due exactly when it is older than the period."""
    complaint = closed_complaint(org, 1, closed_days_ago=closed_days_ago)
    evidence(org, complaint)
    counts = _due(org)
    assert counts["complaint_contacts"] == due
    assert counts["complaint_evidence"] == due


def test_open_and_already_masked_complaints_are_not_due(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 10, status="investigating")
    closed_complaint(org, 2, closed_days_ago=THREE_YEARS + 10, phone="138****5678", email="k***@example.com")
    assert _due(org)["complaint_contacts"] == 0


def test_hr_shortens_a_period_and_more_falls_due(org):
    """Given certificates 400 and 800 days old, when HR sets the period to 365 days (from the
    default two years), then both are due instead of one; the change is audited (SEC-4)."""
    leave_certificate(org, org.agent, uploaded_days_ago=400)
    leave_certificate(org, org.peer, uploaded_days_ago=800)
    leave_certificate(org, org.peer, uploaded_days_ago=900, status=LeaveStatus.PENDING)  # still needs its proof
    assert _due(org)["leave_certificates"] == 1
    services.retention_period_set(actor=org.hr.user, category="leave_certificates", days="365")
    assert _due(org)["leave_certificates"] == 2
    event = AuditEvent.objects.get(action="retention.period_set")
    assert event.changes["days"] == [TWO_YEARS, 365] and event.changes["article"] == "SEC-4"


def test_telephony_metrics_due_by_day(org):
    today = timezone.localdate()
    agent_metrics(org, org.agent, [today - datetime.timedelta(days=d) for d in (TWO_YEARS + 2, TWO_YEARS - 2, 3)])
    assert _due(org)["telephony_metrics"] == 1


@pytest.mark.parametrize(
    ("days", "code"),
    [("29", "retention_days_invalid"), ("10951", "retention_days_invalid"), ("abc", "retention_days_invalid"),
     ("30.5", "retention_days_invalid"), ("", "retention_days_invalid")],
)  # fmt: skip
def test_a_period_out_of_bounds_is_refused_with_a_message_and_nothing_changes(org, days, code):
    with pytest.raises(ApplicationError) as exc:
        services.retention_period_set(actor=org.hr.user, category="complaint_contacts", days=days)
    assert exc.value.code == code and exc.value.field == "days"
    assert not RetentionPeriod.objects.exists()


def test_only_hr_or_an_administrator_sets_the_schedule(org):
    with pytest.raises(PermissionDeniedError):
        services.retention_period_set(actor=org.auditor.user, category="complaint_contacts", days=400)
    with pytest.raises(ApplicationError) as exc:
        services.retention_period_set(actor=org.hr.user, category="nonsense", days=400)
    assert exc.value.code == "invalid_category"
    admin = f.UserFactory(username="admin1", is_staff=True)
    assert services.retention_period_set(actor=admin, category="complaint_contacts", days=30).days == 30


# --- The request: frozen, approved by another person --------------------------------------------------


def test_a_request_freezes_what_is_due_when_it_is_made(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满，依 SEC-4 销毁")
    closed_complaint(org, 2, closed_days_ago=THREE_YEARS + 5)  # falls due after the request
    items = {i.category: i.quantity for i in request.items.all()}
    assert items == {"complaint_contacts": 1}
    assert request.items_total == 1 and request.status == DestructionRequestStatus.PENDING
    event = AuditEvent.objects.get(action="destruction.request_create")
    assert event.changes["due"] == [{"category": "complaint_contacts", "quantity": 1}]


def test_nothing_due_or_no_reason_is_refused(org):
    with pytest.raises(ApplicationError) as exc:
        services.destruction_request_create(actor=org.hr.user, reason="清理")
    assert exc.value.code == "destruction_nothing_due"
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    with pytest.raises(ApplicationError) as exc:
        services.destruction_request_create(actor=org.hr.user, reason="   ")
    assert exc.value.code == "destruction_reason_required" and exc.value.field == "reason"
    with pytest.raises(PermissionDeniedError):
        services.destruction_request_create(actor=org.agent.user, reason="清理")
    assert not DestructionRequest.objects.exists()


def test_the_requester_cannot_approve_their_own_request(org):
    """Given HR who is also a security auditor, when they approve their own request, then it is
    refused (separation of duties, SEC-2/SEC-4) and nothing runs; a colleague approves it."""
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    org.hr.user.groups.add(Group.objects.get(name=Role.SECURITY_AUDITOR))
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    with pytest.raises(PermissionDeniedError) as exc:
        services.destruction_request_approve(actor=org.hr.user, request_id=request.pk)
    assert exc.value.code == "own_record"
    assert DestructionRequest.objects.get(pk=request.pk).status == DestructionRequestStatus.PENDING


def test_an_administrator_without_an_employee_record_cannot_approve_their_own_request(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    admin = f.UserFactory(username="admin1", is_staff=True, roles=[Role.SECURITY_AUDITOR])
    request = services.destruction_request_create(actor=admin, reason="保留期已满")
    with pytest.raises(PermissionDeniedError) as exc:
        services.destruction_request_approve(actor=admin, request_id=request.pk)
    assert exc.value.code == "destruction_own_request"


def test_the_database_refuses_an_approval_by_the_requester_and_a_start_before_approval(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    rows = DestructionRequest.objects.filter(pk=request.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status="approved", decided_by=org.hr.user, decided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(started_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(status="running")


def test_only_auditors_and_company_leaders_decide(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    for user in (org.manager.user, org.agent.user, org.handler.user):
        with pytest.raises(PermissionDeniedError):
            services.destruction_request_approve(actor=user, request_id=request.pk)
    services.destruction_request_reject(actor=org.leader.user, request_id=request.pk, reason="客户仍在诉讼中")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("rejected", org.leader.user)
    assert request.decision_note == "客户仍在诉讼中"
    with pytest.raises(ApplicationError) as exc:
        services.destruction_request_approve(actor=org.auditor.user, request_id=request.pk)
    assert (exc.value.code, exc.value.status) == ("destruction_state", 409)


def test_a_rejection_needs_a_reason(org):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    with pytest.raises(ApplicationError) as exc:
        services.destruction_request_reject(actor=org.auditor.user, request_id=request.pk, reason="")
    assert exc.value.code == "destruction_reason_required"
    assert DestructionRequest.objects.get(pk=request.pk).status == "pending"


# --- The job ------------------------------------------------------------------------------------------


def test_an_unapproved_request_cannot_run(org):
    """Given a pending (or rejected) request, when the job is started anyway, then it is refused
    and nothing is destroyed (SEC-4: never before approval)."""
    complaint = closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    with pytest.raises(ApplicationError) as exc:
        services.destruction_request_execute(request_id=request.pk)
    assert exc.value.code == "destruction_not_approved"
    services.destruction_request_reject(actor=org.auditor.user, request_id=request.pk, reason="暂不销毁")
    with pytest.raises(ApplicationError):
        services.destruction_request_execute(request_id=request.pk)
    complaint.refresh_from_db()
    assert complaint.phone == "13812345678"
    assert not DestructionRecord.objects.exists()
    assert DestructionRequest.objects.get(pk=request.pk).started_at is None


def test_the_approved_job_anonymises_deletes_and_records(org, settings, django_capture_on_commit_callbacks):
    """Given old data of every category, when HR requests and the auditor approves, then the job
    masks the contacts (the complaint stays), removes the evidence and certificate files from
    storage and their rows, deletes the old metrics, and writes one record per category naming
    the quantity, method, responsible person (HR) and approver (the auditor)."""
    old = closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    recent = closed_complaint(org, 2, closed_days_ago=30)
    old_file, recent_file = evidence(org, old), evidence(org, recent)
    certificate = leave_certificate(org, org.agent, uploaded_days_ago=TWO_YEARS + 5)
    today = timezone.localdate()
    agent_metrics(org, org.agent, [today - datetime.timedelta(days=TWO_YEARS + d) for d in (1, 2, 3)])
    agent_metrics(org, org.peer, [today - datetime.timedelta(days=5)])
    root = settings.PRIVATE_MEDIA_ROOT
    assert (root / old_file.path).exists() and (root / certificate.path).exists()

    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    request = _approved_run(org, request, django_capture_on_commit_callbacks)

    assert request.status == DestructionRequestStatus.DONE and request.items_done == request.items_total == 6
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.phone, old.email) == ("138****5678", "k***@example.com")
    assert Complaint.objects.filter(pk=old.pk).exists()
    assert recent.phone == "13812345678"
    assert not (root / old_file.path).exists() and (root / recent_file.path).exists()
    assert list(ComplaintAttachment.objects.values_list("pk", flat=True)) == [recent_file.pk]
    assert not (root / certificate.path).exists() and not LeaveCertificate.objects.exists()
    assert AgentDailyMetric.objects.count() == 1
    records = {r.category: r for r in DestructionRecord.objects.all()}
    assert {c: (r.quantity, r.method) for c, r in records.items()} == {
        "complaint_contacts": (1, DestructionMethod.ANONYMISE),
        "complaint_evidence": (1, DestructionMethod.FILE_DELETE),
        "leave_certificates": (1, DestructionMethod.FILE_DELETE),
        "telephony_metrics": (3, DestructionMethod.ROW_DELETE),
    }
    record = records["complaint_contacts"]
    assert (record.responsible, record.approver, record.request_id) == (org.hr.user, org.auditor.user, request.pk)
    assert record.details["article"] == "SEC-4" and record.serial.startswith("SEC4-")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "destruction.request_approve",
        "destruction.execute_start",
        "destruction.execute_done",
        "destruction.record_write",
        "complaint.contact_anonymise",
        "complaint.attachment_destroy",
        "leave_certificate.destroy",
        "agent_metric.destroy",
    } <= actions
    # run again (a redelivered task): nothing more is destroyed, nothing recorded twice
    services.destruction_request_execute(request_id=request.pk)
    assert DestructionRecord.objects.count() == 4


def test_the_job_destroys_what_was_approved_not_what_is_due_later(org, django_capture_on_commit_callbacks):
    """Given a request made under a 3-year period, when HR shortens the period to one year before
    the approval, then the job still destroys only what the request froze (older than its cutoff)."""
    due = closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    younger = closed_complaint(org, 2, closed_days_ago=TWO_YEARS)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    services.retention_period_set(actor=org.hr.user, category="complaint_contacts", days=365)
    _approved_run(org, request, django_capture_on_commit_callbacks)
    assert DestructionRecord.objects.get().quantity == 1
    due.refresh_from_db()
    younger.refresh_from_db()
    assert "*" in due.phone and younger.phone == "13812345678"


def test_a_failing_category_fails_the_request_with_its_error_and_keeps_the_record_of_the_rest(
    org, django_capture_on_commit_callbacks
):
    """Given a category whose owner's service breaks, then the request fails with the error, and
    what was destroyed before is recorded (the register stays whole)."""
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    leave_certificate(org, org.agent, uploaded_days_ago=TWO_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    original = DESTRUCTION_CATEGORIES["leave_certificates"]

    def broken(**kwargs):
        raise OSError("storage unreachable")

    DESTRUCTION_CATEGORIES["leave_certificates"] = dataclasses.replace(original, execute=broken)
    try:
        request = _approved_run(org, request, django_capture_on_commit_callbacks)
    finally:
        DESTRUCTION_CATEGORIES["leave_certificates"] = original
    assert request.status == DestructionRequestStatus.FAILED and "storage unreachable" in request.error
    assert list(DestructionRecord.objects.values_list("category", "quantity")) == [("complaint_contacts", 1)]
    assert AuditEvent.objects.filter(action="destruction.execute_fail").exists()


# --- The register ---------------------------------------------------------------------------------------


def test_the_register_is_append_only_in_postgresql(org):
    """Given a destruction record, then PostgreSQL refuses to change or remove it (SEC-4: kept
    for audit), whatever the ORM path."""
    record = services.destruction_record_write(
        category="backups", name="数据库备份", quantity=3, method=DestructionMethod.FILE_DELETE, responsible=org.hr.user
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DestructionRecord.objects.filter(pk=record.pk).update(quantity=0)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DestructionRecord.objects.filter(pk=record.pk).delete()
    record.refresh_from_db()
    assert record.quantity == 3
    assert AuditEvent.objects.filter(action="destruction.record_write", object_id=str(record.pk)).exists()


def test_other_jobs_write_records_through_the_service(org):
    """The audit retention and the backup pruning record their destructions the same way."""
    record = services.destruction_record_write(
        category="audit_archives",
        name="审计归档",
        quantity=120_000,
        method=DestructionMethod.ROW_DELETE,
        responsible=org.auditor.user,
        details={"archive": "audit-2026-01.jsonl.gz"},
    )
    assert record.approver is None and record.request is None and record.details["archive"]
    with pytest.raises(ApplicationError):
        services.destruction_record_write(
            category="x", name="x", quantity=1, method="shred", responsible=org.auditor.user
        )


def test_the_periodic_job_resumes_an_approved_request_whose_task_was_lost(org):
    """Given an approved request whose task never ran (its on-commit enqueue lost), when the hourly
    job runs 10 minutes later, then it is carried out; a fresh approval is left to its own task."""
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    request = services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    services.destruction_request_approve(actor=org.auditor.user, request_id=request.pk)  # no commit: no task
    assert services.destruction_requests_resume() == []
    DestructionRequest.objects.filter(pk=request.pk).update(decided_at=timezone.now() - datetime.timedelta(minutes=11))
    assert services.destruction_requests_resume() == [request.pk]
    assert DestructionRequest.objects.get(pk=request.pk).status == DestructionRequestStatus.DONE
    assert DestructionRecord.objects.get().quantity == 1
