"""The OpenAPI schema tells the truth: real answers of the API validate against the schema it
publishes (``/api/schema/``), checked by openapi-core, so a client generated from it works.

The demo call center (``seed_demo``) is loaded once for the module, in a transaction rolled back
at its end; each test runs in a savepoint of it. Every list endpoint is called as a user who may
use it, with rows to show; then a sample of detail and action endpoints, and the error answers
(400, 401, 403, 404, 409) of each kind.
"""

import datetime
import gzip
import hashlib
import json
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse

from attendance.models import LeaveCertificate, LeaveRequest
from attendance.tests.factories import PDF_BYTES
from callcenter.celery import app as celery_app
from callcenter.models import Employee, ExitChecklist, User
from complaints.models import Complaint, ComplaintAttachment
from datasecurity.models import AuditArchive, BackupRun, DestructionRequest, DestructionRequestItem, SecurityAlert
from datasecurity.services import audit_export_render, destruction_record_write
from performance.models import Appraisal, AppraisalCycle, AppraisalTemplate, Indicator, MetricImport
from performance.services import bonus_sheet_file_render
from training.models import Course, CourseMaterial, PlanItem, Question, StudyAttempt, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db

# Lists emptied by what `made` does: validated with their rows before (the missing appraisals of
# the month, until it is locked).
EMPTY_ONCE_MADE = {"/api/v1/performance/cycles/{id}/missing/"}
USERNAMES = ["hr", "agent", "supervisor", "auditor", "complaints", "manager", "leader", "admin"]
# Who may call a list, when HR may not (their remit or their function).
LIST_CALLERS = {
    "/api/v1/audit/events/": "auditor",
    "/api/v1/audit/exports/": "auditor",
    "/api/v1/audit/archives/": "auditor",
    "/api/v1/backups/": "auditor",
    "/api/v1/backups/drills/": "auditor",
    "/api/v1/security/alerts/": "auditor",
    "/api/v1/security/summary/": "auditor",
    "/api/v1/twofa/tokens/": "auditor",
    "/api/v1/attendance/leave/inbox/": "supervisor",
    "/api/v1/attendance/leave/delegations/": "supervisor",
    "/api/v1/performance/appraisals/mine/": "agent",
    "/api/v1/destruction/records/": "auditor",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo call center, in a transaction rolled back when the module is done."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    private = tmp_path_factory.mktemp("private")
    try:
        with (
            override_settings(PRIVATE_MEDIA_ROOT=private, CELERY_TASK_ALWAYS_EAGER=True),
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            call_command("seed_demo", employees=30, months=1, stdout=StringIO())
            yield SimpleNamespace(users={u.username: u for u in User.objects.filter(username__in=USERNAMES)})
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(scope="module")
def spec(demo):
    """The schema the API publishes, as a client would fetch it."""
    client = Client()
    client.force_login(demo.users["hr"])
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    return SimpleNamespace(document=schema, openapi=OpenAPI.from_dict(schema))


@pytest.fixture(scope="module")
def made(demo, spec, django_db_blocker):
    """What the demo has none of, made through the API as its users would (each answer validated):
    a punch correction, a delegation, the month locked, its bonus sheet with a fine, and an export."""
    with django_db_blocker.unblock():
        agent = Employee.objects.get(user__username="agent")
        supervisor = Employee.objects.get(user__username="supervisor")
        colleague = Employee.objects.filter(team=supervisor.team).exclude(pk__in=[agent.pk, supervisor.pk]).first()
        cycle = AppraisalCycle.objects.order_by("-month").first()
        today = datetime.date.today()
        worked = today - datetime.timedelta(days=(today.weekday() + 3) % 7 + 1)  # a recent weekday
        correction = call(
            demo,
            spec,
            "agent",
            "post",
            "/api/v1/attendance/corrections/",
            data={
                "work_date": worked.isoformat(),
                "requested_time": f"{worked.isoformat()}T09:00:00+08:00",
                "reason": "The clock was down.",
            },
            expect=201,
        ).json()
        delegation = call(
            demo,
            spec,
            "supervisor",
            "post",
            "/api/v1/attendance/leave/delegations/",
            data={
                "delegate": colleague.pk,
                "start_date": (today + datetime.timedelta(days=1)).isoformat(),
                "end_date": (today + datetime.timedelta(days=5)).isoformat(),
                "reason": "Training",
            },
            expect=201,
        ).json()
        missing = call(demo, spec, "hr", "get", f"/api/v1/performance/cycles/{cycle.pk}/missing/").json()
        assert missing["count"] > 0
        call(demo, spec, "hr", "post", f"/api/v1/performance/cycles/{cycle.pk}/lock/", data={"force": True})
        sheet = call(
            demo,
            spec,
            "hr",
            "post",
            "/api/v1/performance/bonus-sheets/prepare/",
            data={"month": cycle.month.isoformat()},
            expect=201,
        ).json()
        call(
            demo,
            spec,
            "hr",
            "post",
            f"/api/v1/performance/bonus-sheets/{sheet['id']}/adjustments/",
            data={"employee_no": agent.employee_no, "kind": "penalty", "title": "Headset lost", "amount": "120.00"},
        )
        export = call(
            demo,
            spec,
            "hr",
            "post",
            f"/api/v1/performance/bonus-sheets/{sheet['id']}/exports/",
            data={"file_format": "csv"},
            expect=202,
        ).json()
        bonus_sheet_file_render(file_id=export["id"])  # what the worker does after the commit
        audit_export = call(
            demo,
            spec,
            "auditor",
            "post",
            "/api/v1/audit/exports/",
            data={"format": "csv", "action": "employee."},
            expect=202,
        ).json()
        audit_export_render(export_id=audit_export["id"])  # what the worker does after the commit
        # SEC-1: an administrator starts a backup; the worker (not run here) makes it, then a drill.
        backup = call(demo, spec, "admin", "post", "/api/v1/backups/", expect=202).json()
        BackupRun.objects.filter(pk=backup["id"]).update(
            status="succeeded", name="backups/backup-api.ccbk", sha256="b" * 64, finished_at=timezone.now()
        )
        drill = call(demo, spec, "admin", "post", "/api/v1/backups/drills/", data={"backup": backup["id"]}, expect=202)
        drill = drill.json()
        complaint = Complaint.objects.filter(status__in=["new", "investigating"]).order_by("pk").first()
        evidence = SimpleUploadedFile("evidence.pdf", PDF_BYTES, content_type="application/pdf")
        call(
            demo,
            spec,
            "complaints",
            "post",
            f"/api/v1/complaints/{complaint.pk}/attachments/",
            files={"file": evidence},
            expect=201,
        )
        attachment = ComplaintAttachment.objects.latest("pk")  # the answer is the complaint
        # SEC-4: a destruction request (the demo has nothing old enough to be due) and a record.
        hr, auditor = User.objects.get(username="hr"), User.objects.get(username="auditor")
        destruction = DestructionRequest.objects.create(requested_by=hr, reason="schema", items_total=1)
        DestructionRequestItem.objects.create(
            request=destruction, category="complaint_contacts", method="anonymise", retention_days=1095,
            cutoff=timezone.now(), quantity=1, description="old contacts", samples=["C-1"],
        )  # fmt: skip
        destruction_record = destruction_record_write(
            category="complaint_contacts", name="联系方式", quantity=1, method="anonymise", responsible=hr,
            approver=auditor,
        )  # fmt: skip
        # A pay change scheduled for next month (issue 13): the agent's employment history has a row.
        call(
            demo,
            spec,
            "hr",
            "post",
            f"/api/v1/employees/{agent.pk}/pay/",
            data={
                "monthly_base_pay": "6200.00",
                "bonus_base": "1100.00",
                "effective_on": (today + datetime.timedelta(days=31)).isoformat(),
            },
            expect=201,
        )
        # An audit archive (SEC-2): its record here; its file in the test's backup locations
        # (_audit_archive_files), each test having its own.
        audit_archive = AuditArchive.objects.create(
            first_event_id=1,
            last_event_id=1,
            event_count=1,
            first_occurred_at=timezone.now(),
            last_occurred_at=timezone.now(),
            first_prev_hash="0" * 64,
            last_hash="1" * 64,
            signature="2" * 64,
            sha256=hashlib.sha256(_ARCHIVE_BYTES).hexdigest(),
            size=len(_ARCHIVE_BYTES),
            stored_name="audit-archives/schema-test.jsonl.gz",
            locations=["backup_local", "backup_remote"],
            retention_days=180,
            status="deleted",
            deleted_at=timezone.now(),
        )
    return SimpleNamespace(
        agent=agent,
        supervisor=supervisor,
        audit_archive=audit_archive,
        cycle=cycle,
        sheet=sheet,
        export=export,
        audit_export=audit_export,
        correction=correction,
        delegation=delegation,
        attachment=attachment,
        backup=backup,
        drill=drill,
        destruction=destruction,
        destruction_record=destruction_record,
        today=today,
    )


def call(demo, spec, user, method, path, *, data=None, query=None, files=None, expect=200):
    """``method path`` as ``user`` (None: anonymous); the status must be ``expect`` and the answer
    must validate against the schema's operation for it. ``files``: a multipart upload."""
    client = Client()
    if user is not None:
        client.force_login(demo.users[user])
    if method == "get":
        response = client.get(path, query or {})
    elif files is not None:
        response = client.post(path, {**(data or {}), **files})
    else:
        response = getattr(client, method)(path, json.dumps(data or {}), content_type="application/json")
    assert response.status_code == expect, (
        f"{method.upper()} {path} as {user}: {response.status_code} {response.content[:600].decode(errors='replace')}"
    )
    validate(spec, method, path, response, query=query)
    return response


def validate(spec, method, path, response, *, query=None):
    request = MockRequest("http://testserver", method, path, args=query or {})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    answer = MockResponse(
        content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=response["Content-Type"],
    )
    try:
        spec.openapi.validate_response(request, answer)
    except OpenAPIError as exc:
        pytest.fail(f"{method.upper()} {path} answered {response.status_code} unlike its schema: {_explain(exc)}")


def _explain(exc) -> str:
    """The schema errors of an openapi-core error, each at its place in the body."""
    errors = []
    cause = exc
    while cause is not None:
        errors.extend(getattr(cause, "schema_errors", ()) or ())
        cause = cause.__cause__
    if not errors:
        return f"{type(exc).__name__}: {exc}"
    return "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:10])


def _operations(spec, method=None):
    for path, operations in spec.document["paths"].items():
        for verb, operation in operations.items():
            if isinstance(operation, dict) and "operationId" in operation and method in (None, verb):
                yield path, verb, operation


def _list_call(made, path) -> tuple[str, str, dict]:
    """The caller, the path with its ids and the query of a list endpoint."""
    user = LIST_CALLERS.get(path, "hr")
    path = path.replace("bonus-sheets/{id}", f"bonus-sheets/{made.sheet['id']}")
    path = path.replace("cycles/{id}", f"cycles/{made.cycle.pk}")
    path = path.replace("employees/{id}/history", f"employees/{made.agent.pk}/history")
    path = _training_path(path)  # issue 16, part "plan"
    path = path.replace(
        "training/sessions/{id}/enrolments",
        f"training/sessions/{TrainingSession.objects.filter(status='held').order_by('pk').first().pk}/enrolments",
    )
    # training: self-study (issue 16, study part): the demo's SEC-3 awareness course
    path = path.replace("study/courses/{id}", f"study/courses/{_study_ids()['course']}")
    month = made.cycle.month
    query = {
        "/api/v1/attendance/roster/": {
            "team": made.supervisor.team_id,
            "date_from": (made.today - datetime.timedelta(days=6)).isoformat(),
            "date_to": made.today.isoformat(),
        },
        "/api/v1/attendance/summaries/": {"month": f"{month:%Y-%m}"},
        "/api/v1/performance/metrics/month/": {"month": f"{month:%Y-%m}"},
    }.get(path, {})
    return user, path, query


def test_every_list_endpoint_answers_as_its_schema_says(demo, spec, made, subtests):
    lists = [(path, op) for path, _verb, op in _operations(spec, "get") if op["operationId"].endswith("_list")]
    assert len(lists) >= 25
    for path, _operation in lists:
        with subtests.test(path):
            user, concrete, query = _list_call(made, path)
            response = call(demo, spec, user, "get", concrete, query=query)
            body = response.json()
            rows = len(body) if isinstance(body, list) else body["count"]  # a sheet's few exports: one list
            assert rows > 0 or path in EMPTY_ONCE_MADE, f"{path}: no rows to validate"


_ARCHIVE_BYTES = gzip.compress(b'{"format":"callcenter-audit-archive/1"}\n')


def _audit_archive_files(archive) -> int:
    for location in archive.locations:
        storages[location].delete(archive.stored_name)
        storages[location].save(archive.stored_name, ContentFile(_ARCHIVE_BYTES))
    return archive.pk


def _passed_training_record() -> int:
    return TrainingRecord.objects.filter(certificate_no__isnull=False).order_by("pk").values_list("pk", flat=True)[0]


def _study_ids() -> dict:
    """The demo's awareness course (training, study part) and a closed attempt, a file and a question of it."""
    course = Course.objects.get(code="security-awareness")
    return {
        "course": course.pk,
        "attempt": StudyAttempt.objects.filter(course=course).exclude(status="open").order_by("pk").first().pk,
        "material": CourseMaterial.objects.filter(course=course, kind="file").order_by("pk").first().pk,
        "question": Question.objects.filter(course=course).order_by("pk").first().pk,
    }


def _detail_call(made, path) -> tuple[str, str]:
    """The caller and the concrete path of a detail (non-list GET) endpoint."""
    ids = {
        "/api/v1/attendance/leave/certificates/{id}/": ("hr", LeaveCertificate.objects.order_by("pk").first().pk),
        "/api/v1/attendance/leave/requests/{id}/": ("hr", LeaveRequest.objects.order_by("pk").first().pk),
        "/api/v1/complaints/{id}/": ("complaints", Complaint.objects.order_by("pk").first().pk),
        "/api/v1/complaints/attachments/{id}/": ("complaints", made.attachment.pk),
        "/api/v1/employees/{id}/": ("hr", made.agent.pk),
        "/api/v1/leavers/{id}/": ("hr", ExitChecklist.objects.order_by("pk").first().pk),
        "/api/v1/performance/appraisals/{id}/": ("hr", Appraisal.objects.order_by("pk").first().pk),
        "/api/v1/audit/exports/{id}/": ("auditor", made.audit_export["id"]),
        "/api/v1/backups/{id}/": ("auditor", made.backup["id"]),
        "/api/v1/backups/drills/{id}/": ("auditor", made.drill["id"]),
        "/api/v1/security/alerts/{id}/": ("auditor", SecurityAlert.objects.order_by("pk").first().pk),
        "/api/v1/audit/exports/{id}/download/": ("auditor", made.audit_export["id"]),
        "/api/v1/audit/archives/{id}/": ("auditor", made.audit_archive.pk),
        "/api/v1/audit/archives/{id}/download/": ("auditor", _audit_archive_files(made.audit_archive)),
        "/api/v1/performance/bonus-exports/{id}/": ("hr", made.export["id"]),
        "/api/v1/performance/bonus-exports/{id}/download/": ("hr", made.export["id"]),
        "/api/v1/performance/bonus-sheets/{id}/": ("hr", made.sheet["id"]),
        "/api/v1/performance/cycles/{id}/": ("hr", made.cycle.pk),
        "/api/v1/performance/metrics/imports/{id}/": ("hr", MetricImport.objects.order_by("pk").first().pk),
        "/api/v1/performance/setup/indicators/{id}/": ("hr", Indicator.objects.order_by("pk").first().pk),
        "/api/v1/performance/setup/templates/{id}/": ("hr", AppraisalTemplate.objects.order_by("pk").first().pk),
        "/api/v1/destruction/records/{id}/": ("auditor", made.destruction_record.pk),
        "/api/v1/destruction/records/{id}/certificate/": ("auditor", made.destruction_record.pk),
        "/api/v1/destruction/requests/{id}/": ("hr", made.destruction.pk),
        "/api/v1/training/courses/{id}/": ("hr", Course.objects.order_by("pk").first().pk),
        "/api/v1/training/sessions/{id}/": ("hr", TrainingSession.objects.order_by("pk").first().pk),
        # training records (TRN-3): a passed record of the demo (seeded by training/demo/records.py)
        "/api/v1/training/records/{id}/": ("hr", _passed_training_record()),
        "/api/v1/training/records/{id}/certificate/": ("hr", _passed_training_record()),
        # training: self-study (issue 16, study part), from the demo's SEC-3 awareness course
        "/api/v1/training/study/courses/{id}/": ("hr", _study_ids()["course"]),
        "/api/v1/training/study/attempts/{id}/": ("hr", _study_ids()["attempt"]),
        "/api/v1/training/study/materials/{id}/file/": ("hr", _study_ids()["material"]),
        "/api/v1/training/study/questions/{id}/": ("hr", _study_ids()["question"]),
    }
    if "/api/v1/training/" in path and path not in ids:  # issue 16, part "plan": the demo plan, a course
        return "hr", _training_path(path)
    if "{id}" not in path:
        return ("agent" if path == "/api/v1/me/" else LIST_CALLERS.get(path, "hr")), path
    user, pk = ids[path]
    return user, path.replace("{id}", str(pk))


def test_every_detail_endpoint_answers_as_its_schema_says(demo, spec, made, subtests):
    # given every GET that is not a list (records, files, the statistics, me), called by someone who may
    details = [path for path, _verb, op in _operations(spec, "get") if not op["operationId"].endswith("_list")]
    assert len(details) >= 14
    for path in details:
        with subtests.test(path):
            user, concrete = _detail_call(made, path)
            # then it answers 200 with what its schema describes (a file: one of its declared types)
            call(demo, spec, user, "get", concrete)


def test_a_sample_of_actions_answers_as_its_schema_says(demo, spec, made, subtests):
    # (the corrections, delegation, lock, bonus sheet, fine and export of `made` were validated too)
    today = made.today
    monday = today + datetime.timedelta(days=7 - today.weekday() + 7)
    complaint = Complaint.objects.filter(status__in=["new", "investigating"]).order_by("pk").first()
    actions = [
        ("agent", "post", "/api/v1/attendance/punches/me/", {"idempotency_key": "schema-test-1"}, 201),
        (
            "agent",
            "post",
            "/api/v1/attendance/leave/requests/quote/",
            {"leave_type": "annual", "start_date": monday.isoformat(), "end_date": monday.isoformat()},
            200,
        ),
        (
            "agent",
            "post",
            "/api/v1/attendance/leave/requests/",
            {
                "leave_type": "personal",
                "start_date": monday.isoformat(),
                "end_date": monday.isoformat(),
                "reason": "Moving",
                "expected_days": "1",
            },
            201,
        ),
        ("supervisor", "post", f"/api/v1/attendance/corrections/{made.correction['id']}/approve/", {}, 200),
        ("supervisor", "post", f"/api/v1/attendance/leave/delegations/{made.delegation['id']}/cancel/", {}, 200),
        (
            "complaints",
            "post",
            "/api/v1/complaints/",
            {"channel": "phone", "customer_name": "刘女士", "phone": "13800138000", "matter": "Waited too long."},
            201,
        ),
        (
            "complaints",
            "post",
            f"/api/v1/complaints/{complaint.pk}/log/",
            {"kind": "note", "text": "Called back."},
            200,
        ),
        ("agent", "post", "/api/v1/notifications/read/", {}, 200),
        ("hr", "post", f"/api/v1/performance/bonus-sheets/{made.sheet['id']}/recompute/", {}, 200),
    ]
    for user, method, path, data, expect in actions:
        with subtests.test(path):
            call(demo, spec, user, method, path, data=data, expect=expect)


def _any_path(path: str) -> str:
    path = path.replace("{id}", "1").replace("{line_pk}", "1").replace("{position}", "0")
    return path.replace("{lineage}", "00000000-0000-4000-8000-000000000000")


def _training_path(path: str) -> str:
    """Issue 16, part "plan": the demo plan of the year and its first item, a course (made if the
    demo has none yet)."""
    item = PlanItem.objects.order_by("-version__number", "pk").first()
    if "/effect/courses/" in path:
        course = Course.objects.order_by("pk").first() or Course.objects.create(
            code="schema-course", title="Schema", topic_area="service", delivery_mode="internal", hours=1
        )
        return path.replace("{id}", str(course.pk))
    return path.replace("{id}", str(item.version.plan_id)).replace("{lineage}", str(item.lineage))


def test_every_operation_answers_401_with_a_challenge_to_an_anonymous_caller(demo, spec, subtests):
    # given every operation of the API, called with no credentials
    for path, verb, _operation in _operations(spec):
        with subtests.test(f"{verb.upper()} {path}"):
            response = call(demo, spec, None, verb, _any_path(path), expect=401)
            # then 401 (not 403), saying how to authenticate, with the declared error body
            assert response["WWW-Authenticate"] in {"Token", "Device", "Integration"}
            assert response.json()["code"] == "not_authenticated"


def test_bad_credentials_answer_401_with_a_challenge(demo, spec):
    # given a call with a token that is no token
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    # then 401 authentication_failed, with the challenge, as the schema declares
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "authentication_failed"
    validate(spec, "get", "/api/v1/me/", response)


def test_refusals_answer_as_the_schema_says(demo, spec, made, subtests):
    cycle = f"/api/v1/performance/cycles/{made.cycle.pk}/lock/"
    refusals = [
        # 400: invalid input, with the fields' errors; a required filter missing
        ("agent", "post", "/api/v1/attendance/corrections/", {}, None, 400),
        ("hr", "get", "/api/v1/attendance/summaries/", None, {}, 400),
        # 403: a function the caller's role does not have
        ("agent", "get", "/api/v1/audit/events/", None, None, 403),
        ("hr", "post", "/api/v1/audit/exports/", {"format": "csv"}, None, 403),
        ("auditor", "post", "/api/v1/audit/exports/", {"format": "pdf"}, None, 400),
        ("agent", "post", cycle, {"force": True}, None, 403),
        # 404: a record that does not exist (or is outside the caller's remit)
        ("hr", "get", "/api/v1/employees/999999999/", None, None, 404),
        ("agent", "get", f"/api/v1/performance/bonus-sheets/{made.sheet['id']}/", None, None, 403),
        # 409: the month is already locked
        ("hr", "post", cycle, {"force": True}, None, 409),
    ]
    for user, method, path, data, query, expect in refusals:
        with subtests.test(f"{expect} {method.upper()} {path} as {user}"):
            body = call(demo, spec, user, method, path, data=data, query=query, expect=expect).json()
            assert body["detail"] and body["code"]
            if expect == 400:
                assert body["errors"]


def test_an_unknown_api_path_answers_a_json_404(demo, subtests):
    # given paths under /api/ that name no endpoint, asked by anyone
    for path in ("/api/v1/no-such-thing/", "/api/v1/attendance/punches/extra/", "/api/v2/"):
        for user in (None, "hr"):
            with subtests.test(f"{path} as {user}"):
                client = Client()
                if user:
                    client.force_login(demo.users[user])
                response = client.get(path)
                # then a JSON 404 like the API's own, not the HTML page
                assert response.status_code == 404 and response["Content-Type"] == "application/json"
                assert response.json()["code"] == "not_found" and response.json()["detail"]
    # and a page that does not exist is still the HTML page
    assert "text/html" in Client().get("/no-such-page/")["Content-Type"]
