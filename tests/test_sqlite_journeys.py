"""The headline journeys on the `make run` database (SQLite, eager Celery), over HTTP, on the demo
call center ``seed_demo`` makes: clock in and out (ATT-2), a leave request approved (LV-2), the
month's appraisal to an approved bonus sheet and its PDF (PRF-3, PRF-4, SEC-2), a complaint from
recording to closing (CMP-1..CMP-3).

The suite runs on PostgreSQL; these tests are marked ``sqlite`` and run in the SQLite child run
(conftest.py). They exist because the try-out once answered 500 where PostgreSQL did not: SQLite
computes a CHECK in floating point, where 850 - 40 - 289.66 is not 520.34
(``callcenter.db_constraints.cents``).
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, DecimalField, F, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Round
from django.test import Client
from django.utils import timezone

from attendance.models import Punch
from callcenter.models import Employee, User
from callcenter.roles import Role
from callcenter.services.accounts import user_password_change
from complaints.models import Complaint
from performance.models import Appraisal, AppraisalCycle, BonusLine, BonusSheet, CycleStatus
from performance.tests.factories.bonus import bonus_cycle_for

pytestmark = pytest.mark.sqlite

API = "/api/v1"


@pytest.fixture
def demo(sqlite_db, settings, tmp_path):
    """The demo call center as `make run` seeds it (smaller: 30 people, one month of history)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", employees=30, months=1, stdout=StringIO())
    return SimpleNamespace(users={u.username: u for u in User.objects.all()})


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, path, data=None, expect=200):
    response = client.post(path, json.dumps(data or {}), content_type="application/json")
    assert response.status_code == expect, f"POST {path}: {response.status_code} {response.content[:800]!r}"
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else None


def get(client, path, expect=200, **query):
    response = client.get(path, query)
    assert response.status_code == expect, f"GET {path}: {response.status_code} {response.content[:800]!r}"
    return response


def floats_disagree(line) -> bool:
    """Whether SQLite's float arithmetic gets this line's total wrong (the case that answered 500)."""
    parts = [line.performance_amount, line.attendance_fines, line.absenteeism_deduction, line.rewards, line.penalties]
    p, fines, absent, rewards, penalties = (float(x) for x in parts)
    return p - fines - absent + rewards - penalties != float(line.total)


# --- Attendance (ATT-2) and leave (LV-2) --------------------------------------------------------------


def test_agent_clocks_in_and_out(demo):
    agent = client_of(demo.users["agent"])
    first = post(agent, f"{API}/attendance/punches/me/", {"idempotency_key": "sqlite-in"}, expect=201)
    second = post(agent, f"{API}/attendance/punches/me/", {"idempotency_key": "sqlite-out"}, expect=201)
    assert first["id"] != second["id"]
    # the same key again is the same punch, not a third one
    again = post(agent, f"{API}/attendance/punches/me/", {"idempotency_key": "sqlite-out"}, expect=200)
    assert again["id"] == second["id"]
    employee = Employee.objects.get(user__username="agent")
    assert Punch.objects.filter(employee=employee, punched_at__date=timezone.localdate()).count() >= 2
    get(agent, "/attendance/clock/")  # the clock page shows them


def test_agent_requests_leave_and_the_supervisor_approves(demo):
    agent, supervisor = client_of(demo.users["agent"]), client_of(demo.users["supervisor"])
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=14 - today.weekday())
    leave = post(
        agent,
        f"{API}/attendance/leave/requests/",
        {
            "leave_type": "personal",
            "start_date": monday.isoformat(),
            "end_date": monday.isoformat(),
            "reason": "Moving house",
            "expected_days": "1",
        },
        expect=201,
    )
    assert leave["status"] == "pending"
    inbox = get(supervisor, f"{API}/attendance/leave/inbox/").json()
    assert leave["id"] in [row["request"]["id"] for row in inbox["results"]]
    approved = post(supervisor, f"{API}/attendance/leave/requests/{leave['id']}/approve/")
    assert approved["status"] == "approved"
    assert get(agent, f"{API}/attendance/leave/requests/{leave['id']}/").json()["status"] == "approved"


# --- Appraisal to bonus sheet to PDF (PRF-3, PRF-4, SEC-2) ---------------------------------------------


def _scores(detail) -> list[dict]:
    return [
        {"item_id": item["id"], "score": str(item["scale_max"] * 9 // 10), "comment": "Steady month."}
        for item in detail["items"]
        if item["method"] == "manual"
    ]


def _penalty_that_breaks_floats(line) -> Decimal:
    """A fine for ``line`` after which its total no longer adds up in floating point."""
    for cents in itertools.count(1):
        amount = Decimal(cents) / 100
        trial = SimpleNamespace(
            performance_amount=line.performance_amount,
            attendance_fines=line.attendance_fines,
            absenteeism_deduction=line.absenteeism_deduction,
            rewards=line.rewards,
            penalties=line.penalties + amount,
            total=line.total - amount,
        )
        if trial.total >= 0 and floats_disagree(trial):
            return amount
    raise AssertionError("unreachable")


def test_appraisal_to_approved_bonus_sheet_and_its_pdf(demo):
    cycle = AppraisalCycle.objects.get(status=CycleStatus.OPEN)
    supervisor_employee = Employee.objects.get(user__username="supervisor")
    appraisal = (
        Appraisal.objects.filter(cycle=cycle, evaluator=supervisor_employee, status="self")
        .select_related("employee__user")
        .first()
    )
    assert appraisal is not None, "the demo leaves a self-evaluation to do in the supervisor's team"
    employee = client_of(appraisal.employee.user)
    supervisor = client_of(demo.users["supervisor"])
    hr = client_of(demo.users["hr"])
    second_hr_user = User.objects.filter(groups__name=Role.HR, employee__isnull=False).exclude(username="hr").first()
    assert second_hr_user is not None, "the demo has two HR people (SEC-2)"
    # (not a demo login: they choose their own password first, as anyone the demo made)
    user_password_change(user=second_hr_user, new_password="Second-HR-2026!", actor=second_hr_user)
    second_hr = client_of(User.objects.get(pk=second_hr_user.pk))
    path = f"{API}/performance/appraisals/{appraisal.pk}"

    # the employee evaluates themselves, the supervisor evaluates them (PRF-3)
    detail = get(employee, f"{path}/").json()
    post(employee, f"{path}/self/", {"items": _scores(detail), "summary": "Busy month.", "submit": True})
    detail = get(supervisor, f"{path}/").json()
    done = post(supervisor, f"{path}/superior/", {"items": _scores(detail), "summary": "Good.", "submit": True})
    assert done["total_score"] is not None

    # HR locks the month (the others' appraisals unfinished: forced) and prepares the sheet (PRF-4)
    post(hr, f"{API}/performance/cycles/{cycle.pk}/lock/", {"force": True})
    # (on the page, HR's 编制草稿 button: it answered 500 on SQLite)
    prepared = hr.post("/performance/bonus/prepare/", {"month": f"{cycle.month:%Y-%m}"})
    assert prepared.status_code == 302, prepared.content[:800]
    sheet = {"id": int(prepared["Location"].rstrip("/").rsplit("/", 1)[-1])}
    assert BonusSheet.objects.get(pk=sheet["id"]).month == cycle.month
    lines = list(BonusLine.objects.filter(sheet_id=sheet["id"]).order_by("pk"))
    assert lines
    # a fine whose amount breaks floating point, on a line without other adjustments
    line = next(line for line in lines if line.employee.user_id not in (demo.users["hr"].pk, second_hr_user.pk))
    fine = _penalty_that_breaks_floats(line)
    post(
        hr,
        f"{API}/performance/bonus-sheets/{sheet['id']}/adjustments/",
        {"employee_no": line.employee_no, "kind": "penalty", "title": "Headset lost", "amount": str(fine)},
    )
    line.refresh_from_db()
    assert floats_disagree(line), "the sheet holds a line that floats cannot add up"
    assert line.total == (
        line.performance_amount - line.attendance_fines - line.absenteeism_deduction + line.rewards - line.penalties
    )
    page = get(hr, f"/performance/bonus/{sheet['id']}/").content.decode()
    assert line.employee_no in page

    # the preparer may not approve; the second HR person does (SEC-2)
    post(hr, f"{API}/performance/bonus-sheets/{sheet['id']}/approve/", expect=403)
    # the demo's sheet has lines whose fines exceed the bonus: approving asks to acknowledge them (PRF-4)
    refused = second_hr.post(f"{API}/performance/bonus-sheets/{sheet['id']}/approve/", content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "negative_lines_unacknowledged"
    approve = f"{API}/performance/bonus-sheets/{sheet['id']}/approve/"
    approved = post(second_hr, approve, {"negative_acknowledged": True})
    assert approved["status"] == "approved"

    # the PDF is rendered (eager Celery, as in `make run`) and downloads as a PDF with content
    export = post(hr, f"{API}/performance/bonus-sheets/{sheet['id']}/exports/", {"file_format": "pdf"}, expect=202)
    status = get(hr, f"{API}/performance/bonus-exports/{export['id']}/").json()
    assert status["status"] == "done", status
    response = get(hr, f"{API}/performance/bonus-exports/{export['id']}/download/")
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000 and b"%%EOF" in pdf[-1024:]


# --- Complaints (CMP-1..CMP-3) -------------------------------------------------------------------------


def test_complaint_recorded_handled_resolved_and_closed(demo):
    agent, handler = client_of(demo.users["agent"]), client_of(demo.users["complaints"])
    agent_employee = Employee.objects.get(user__username="agent")
    handler_employee = Employee.objects.get(user__username="complaints")
    complaint = post(
        agent,
        f"{API}/complaints/",
        {
            "customer_name": "王先生",
            "phone": "13812345678",
            "matter": "等待时间过长",
            "channel": "phone",
            "concerned_team": agent_employee.team_id,
            "concerned_employees": [agent_employee.pk],
        },
        expect=201,
    )
    path = f"{API}/complaints/{complaint['id']}"
    assert post(handler, f"{path}/assign/", {"owner": handler_employee.pk})["status"] == "investigating"
    post(handler, f"{path}/log/", {"kind": "customer_contact", "text": "已致电客户", "call_reference": "CALL-1"})
    deadline = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    plan = {"description": "重新办理", "responsible": handler_employee.pk, "deadline": deadline}
    post(handler, f"{path}/plan/", plan)
    # resolving asks for the cause the investigation found (CMP-4: the statistics count by it)
    refused = handler.post(f"{path}/resolve/", {"text": "已办理"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "cause_missing"
    assert post(handler, f"{path}/resolve/", {"text": "已办理", "cause": "高峰时段排班不足"})["status"] == "resolved"
    closed = post(handler, f"{path}/follow-up/", {"satisfaction": 5})
    assert closed["status"] == "closed" and closed["satisfaction"] == 5
    assert Complaint.objects.get(pk=complaint["id"]).closed_at is not None


# --- The constraint's arithmetic on SQLite ----------------------------------------------------------------


def _amounts(rng: random.Random) -> dict:
    """A line's amounts in whole cents, the total adding up; many are not exact in binary."""

    def money(high: int) -> Decimal:
        return Decimal(rng.randrange(0, high)) / 100

    performance = money(10**8)
    fines, absent, rewards, penalties = money(10**5), money(10**6), money(10**5), money(10**5)
    total = performance - fines - absent + rewards - penalties
    return {
        "performance_amount": performance,
        "attendance_fines": fines,
        "absenteeism_deduction": absent,
        "rewards": rewards,
        "penalties": penalties,
        "total": total,
    }


def test_bonus_line_total_check_holds_on_amounts_floats_cannot_add(sqlite_db, org):
    """``bonus_line_total_adds_up`` on SQLite: every total that adds up in decimals is accepted
    (many do not in floats), and one a cent off is refused."""
    cycle = bonus_cycle_for()
    sheet = BonusSheet.objects.create(month=cycle.month, cycle=cycle, prepared_by=org.hr.user)
    line = BonusLine.objects.create(
        sheet=sheet,
        employee=org.agent,
        employee_no=org.agent.employee_no,
        employee_name=org.agent.name,
        department=org.agent.department,
        department_name=org.agent.department.name,
        coefficient=Decimal("1.00"),
        bonus_base=Decimal("1000.00"),
        performance_amount=Decimal("850.00"),
        attendance_fines=Decimal("40.00"),
        absenteeism_deduction=Decimal("289.66"),
        total=Decimal("520.34"),
    )
    rng = random.Random(2026)
    float_breaking = 0
    for _ in range(2000):
        amounts = _amounts(rng)
        float_breaking += floats_disagree(SimpleNamespace(**amounts))
        BonusLine.objects.filter(pk=line.pk).update(**amounts)
        off = {**amounts, "total": amounts["total"] + Decimal("0.01")}
        with pytest.raises(IntegrityError), transaction.atomic():
            BonusLine.objects.filter(pk=line.pk).update(**off)
    assert float_breaking > 200, "the values exercise the float case"


# --- Every CHECK that adds money up does it in whole cents ------------------------------------------------


def _float_arithmetic(node, model) -> list[str]:
    """The arithmetic on decimal columns in a CHECK's condition, outside ``cents()`` (which SQLite
    would compute in floating point)."""
    if isinstance(node, Q):
        return [found for child in node.children for found in _float_arithmetic(child, model)]
    if isinstance(node, tuple):  # ("field__lookup", value)
        return _float_arithmetic(node[1], model)
    if isinstance(node, Cast) and isinstance(node.get_source_expressions()[0], Round):
        return []  # cents(field): rounded to a whole number of cents
    if isinstance(node, CombinedExpression):
        decimals = [name for name in _field_refs(node) if isinstance(model._meta.get_field(name), DecimalField)]
        return [f"{model.__name__}: {node}"] if decimals else []
    if hasattr(node, "get_source_expressions"):
        return [found for child in node.get_source_expressions() for found in _float_arithmetic(child, model)]
    return []


def _field_refs(node) -> list[str]:
    if isinstance(node, F):
        return [node.name]
    if isinstance(node, Cast) and isinstance(node.get_source_expressions()[0], Round):
        return []
    return [name for child in getattr(node, "get_source_expressions", list)() for name in _field_refs(child)]


def test_no_check_constraint_adds_decimals_in_floating_point():
    """A CHECK that adds up money compares whole cents (``callcenter.db_constraints.cents``),
    every app's: on SQLite, 850 - 40 - 289.66 is not 520.34."""
    # the walk finds the old form of the bonus line's check
    old = Q(total=F("performance_amount") - F("attendance_fines") - F("absenteeism_deduction"))
    assert _float_arithmetic(old, BonusLine)
    found = [
        problem
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if isinstance(constraint, CheckConstraint)
        for problem in _float_arithmetic(constraint.condition, model)
    ]
    assert not found, found
