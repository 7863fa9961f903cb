"""Bonus sheet services (PRF-4): prepare, recompute, adjust, approve, correct; every refusal is a
clear error and changes nothing; approved sheets are read-only in the database too."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from attendance.models import DailyAttendance
from attendance.selectors import attendance_month_results
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Employee
from datasecurity.models import AuditEvent
from performance import rules, services
from performance.models import AppraisalPolicy, BonusLine, BonusSheet
from performance.tests.factories import BONUS_MONTH, approver_hr, bonus_appraisal_for, bonus_cycle_for, lock_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_data(org):
    """Given the March cycle (locked) with appraisals: 张伟 95 (A), 王芳 85 (B), 刘洋 72 (C),
    赵敏 without a total score, 李娜 55 (E); bonus bases 1,000 (2,000 for 张伟)."""
    Employee.objects.filter(pk=org.agent.pk).update(bonus_base=Decimal("2000.00"))
    org.agent.refresh_from_db()
    cycle = bonus_cycle_for()
    for employee, score in [
        (org.agent, 95),
        (org.peer, 85),
        (org.other_team, 72),
        (org.other_dept, None),
        (org.supervisor, 55),
    ]:
        bonus_appraisal_for(employee, cycle, score)
    return cycle


def _lines(sheet) -> dict[str, BonusLine]:
    return {line.employee_name: line for line in BonusLine.objects.filter(sheet=sheet)}


def test_prepare_makes_one_explained_line_per_appraised_employee(org, month_data):
    """Given the locked March cycle, when HR prepares the sheet, then each appraised employee has
    a line: base × band coefficient, explained with PRF-4; no score → band E, coefficient 0."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=datetime.date(2026, 3, 17))
    assert sheet.month == BONUS_MONTH and sheet.version == 1 and sheet.status == "draft"
    assert sheet.employees == 5
    lines = _lines(sheet)
    assert set(lines) == {"张伟", "王芳", "刘洋", "赵敏", "李娜"}
    zhang = lines["张伟"]
    assert (zhang.band, zhang.coefficient, zhang.performance_amount, zhang.total) == (
        "A",
        Decimal("1.20"),
        Decimal("2400.00"),
        Decimal("2400.00"),
    )
    assert (
        zhang.employee_no == org.agent.employee_no and zhang.department_name == "客服一部" and zhang.team_name == "一组"
    )
    assert lines["王芳"].total == Decimal("1000.00") and lines["刘洋"].total == Decimal("800.00")
    assert lines["李娜"].band == "E" and lines["李娜"].total == Decimal("0.00")
    zhao = lines["赵敏"]
    assert zhao.score is None and zhao.band == "E" and zhao.coefficient == Decimal("0.00")
    assert zhao.explanation[0]["rule"] == "no_score" and zhao.explanation[0]["article"] == "PRF-4"
    assert "PRF-4" in rules.explain(zhao.explanation[0])
    assert sheet.total_amount == Decimal("4200.00") and sheet.total_base == Decimal("6000.00")
    # the policy in force is kept on the sheet
    assert sheet.policy_snapshot["band_excellent_coefficient"] == "1.20"
    assert AuditEvent.objects.filter(action="bonus_sheet.prepare", object_id=str(sheet.pk)).count() == 1


def test_attendance_fines_and_absenteeism_are_deducted(org, month_data):
    """Given 张伟 was late once (minor) and absent one day in March, when the sheet is prepared,
    then the line deducts exactly the month's attendance fines (ATT-4) and deduction (ATT-5)."""
    DailyAttendance.objects.create(
        employee=org.agent,
        work_date=datetime.date(2026, 3, 3),
        status="late",
        scheduled_minutes=480,
        worked_minutes=470,
        late_minutes=10,
        explanation=[{"rule": "late_minor", "minutes": 10, "limit": 30}],
    )
    DailyAttendance.objects.create(
        employee=org.agent, work_date=datetime.date(2026, 3, 4), status="absent", scheduled_minutes=480
    )
    expected = attendance_month_results(employees=[org.agent], month=BONUS_MONTH)[org.agent.pk]
    assert expected.fines > 0 and expected.deduction > 0
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = _lines(sheet)["张伟"]
    assert line.attendance_fines == expected.fines
    assert line.absenteeism_deduction == expected.deduction
    assert line.total == Decimal("2400.00") - expected.fines - expected.deduction
    rules_seen = [e["rule"] for e in line.explanation]
    assert rules_seen == ["band", "attendance_fines", "absenteeism_deduction"]
    assert [e["article"] for e in line.explanation] == ["PRF-4", "ATT-4", "ATT-5"]


def test_a_later_policy_change_never_changes_the_sheet(org, month_data):
    """Given a prepared sheet, when HR changes the band coefficients for March afterwards and
    recomputes the draft, then the sheet still uses the policy it was prepared with."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    AppraisalPolicy.objects.create(effective_from=datetime.date(2026, 1, 1), band_excellent_coefficient=Decimal("2.00"))
    services.bonus_sheet_recompute(actor=org.hr.user, sheet_id=sheet.pk)
    assert _lines(sheet)["张伟"].performance_amount == Decimal("2400.00")


def test_adjustments_reward_and_fine_are_explained_and_kept_by_recompute(org, month_data):
    """Given a draft, when HR adds a reward (RWD-2) and a fine (PEN-1) to 王芳 and recomputes,
    then her total moves by them, each is explained, and the recompute keeps them."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = _lines(sheet)["王芳"]
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="reward", title="服务明星奖", amount="300")
    line = services.bonus_line_adjust(
        actor=org.hr.user, line_id=line.pk, kind="penalty", title="违规罚款", amount=Decimal("50.5")
    )
    assert (line.rewards, line.penalties, line.total) == (Decimal("300.00"), Decimal("50.50"), Decimal("1249.50"))
    sheet.refresh_from_db()
    assert sheet.total_amount == Decimal("4449.50")
    assert [(e["rule"], e["article"]) for e in line.explanation[-2:]] == [("reward", "RWD-2"), ("penalty", "PEN-1")]
    assert "服务明星奖" in rules.explain(line.explanation[-2])
    services.bonus_sheet_recompute(actor=org.hr.user, sheet_id=sheet.pk)
    again = _lines(sheet)["王芳"]
    assert again.total == Decimal("1249.50") and again.rewards == Decimal("300.00")
    sheet.refresh_from_db()
    assert sheet.total_amount == Decimal("4449.50")
    # removing the fine
    again = services.bonus_line_adjustment_remove(actor=org.hr.user, line_id=again.pk, position=1)
    assert again.total == Decimal("1300.00") and again.penalties == Decimal("0.00")


@pytest.mark.parametrize(
    "kind,title,amount,code",
    [
        ("bonus", "x", "10", "kind_invalid"),
        ("reward", "   ", "10", "title_missing"),
        ("reward", "x" * 201, "10", "title_too_long"),
        ("reward", "x", "0", "amount_invalid"),
        ("penalty", "x", "-5", "amount_invalid"),
        ("penalty", "x", "abc", "amount_invalid"),
        ("penalty", "x", "100000.01", "amount_invalid"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(org, month_data, kind, title, amount, code):
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = _lines(sheet)["王芳"]
    with pytest.raises(ApplicationError) as exc:
        services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind=kind, title=title, amount=amount)
    assert exc.value.code == code
    line.refresh_from_db()
    assert line.total == Decimal("1000.00")


def test_approve_needs_the_locked_cycle_then_locks_the_sheet(org):
    """Given an open cycle and its draft, when another HR colleague approves, then it is refused
    until the cycle is locked; approving records who and when, and approving twice is refused.
    (The preparer never approves: SEC-2, tests/test_duties.py.)"""
    cycle = bonus_cycle_for(status="open")
    bonus_appraisal_for(org.agent, cycle, 90)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    approver = approver_hr(org).user
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_approve(actor=approver, sheet_id=sheet.pk)
    assert exc.value.code == "cycle_not_locked" and exc.value.status == 409
    lock_cycle(cycle)
    sheet = services.bonus_sheet_approve(actor=approver, sheet_id=sheet.pk)
    assert sheet.status == "approved" and sheet.approved_by == approver and sheet.approved_at
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_approve(actor=approver, sheet_id=sheet.pk)
    assert exc.value.code == "already_approved"
    assert AuditEvent.objects.filter(action="bonus_sheet.approve").count() == 1


def test_every_write_on_an_approved_sheet_is_refused(org, month_data):
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    services.bonus_sheet_approve(actor=approver_hr(org).user, sheet_id=sheet.pk)
    line = _lines(sheet)["王芳"]
    for call in (
        lambda: services.bonus_sheet_recompute(actor=org.hr.user, sheet_id=sheet.pk),
        lambda: services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="reward", title="x", amount="1"),
        lambda: services.bonus_line_adjustment_remove(actor=org.hr.user, line_id=line.pk, position=0),
    ):
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.code == "sheet_locked" and exc.value.status == 409


def test_the_database_refuses_changes_to_an_approved_sheet(org, month_data):
    """Given an approved sheet, when anything writes its lines or the sheet directly (bypassing
    the services), then PostgreSQL refuses it (trigger)."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    services.bonus_sheet_approve(actor=approver_hr(org).user, sheet_id=sheet.pk)
    line = _lines(sheet)["王芳"]
    attempts = [
        lambda: BonusLine.objects.filter(pk=line.pk).update(rewards=Decimal("1"), total=line.total + 1),
        lambda: BonusLine.objects.filter(pk=line.pk).delete(),
        lambda: BonusLine.objects.create(
            sheet=sheet,
            employee=org.handler,
            employee_no="X",
            employee_name="X",
            department=org.dept_b,
            department_name="X",
            coefficient=0,
            bonus_base=0,
            performance_amount=0,
            total=0,
        ),
        lambda: BonusSheet.objects.filter(pk=sheet.pk).update(total_amount=Decimal("1")),
        lambda: BonusSheet.objects.filter(pk=sheet.pk).update(status="draft"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    line.refresh_from_db()
    assert line.total == Decimal("1000.00")


def test_correction_keeps_the_old_version_and_makes_a_fresh_draft(org, month_data):
    """Given an approved sheet with a reward, when HR corrects it (after 王芳's base was raised),
    then v1 is superseded and unchanged, v2 is a draft computed afresh with the reward carried."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    services.bonus_line_adjust(
        actor=org.hr.user, line_id=_lines(sheet)["王芳"].pk, kind="reward", title="创新奖", amount="200"
    )
    services.bonus_sheet_approve(actor=approver_hr(org).user, sheet_id=sheet.pk)
    Employee.objects.filter(pk=org.peer.pk).update(bonus_base=Decimal("1500.00"))
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_correct(actor=org.hr.user, sheet_id=sheet.pk, reason="  ")
    assert exc.value.code == "reason_missing"
    new = services.bonus_sheet_correct(actor=org.hr.user, sheet_id=sheet.pk, reason="王芳奖金基数调整")
    sheet.refresh_from_db()
    assert sheet.status == "superseded" and new.version == 2 and new.status == "draft"
    assert new.supersedes == sheet and new.correction_reason == "王芳奖金基数调整"
    assert _lines(sheet)["王芳"].total == Decimal("1200.00")  # the old version is kept as it was
    assert _lines(new)["王芳"].total == Decimal("1700.00")  # 1,500 × 1.00 + 200 reward
    assert AuditEvent.objects.filter(action="bonus_sheet.correct", object_id=str(sheet.pk)).count() == 1
    # correcting the superseded version or the new draft is refused
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_correct(actor=org.hr.user, sheet_id=sheet.pk, reason="again")
    assert exc.value.code == "sheet_superseded"
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_correct(actor=org.hr.user, sheet_id=new.pk, reason="again")
    assert exc.value.code == "correct_draft"
    with pytest.raises(ApplicationError) as exc:
        services.bonus_line_adjust(
            actor=org.hr.user, line_id=_lines(sheet)["王芳"].pk, kind="reward", title="x", amount="1"
        )
    assert exc.value.code == "sheet_superseded"


def test_prepare_refusals(org, month_data):
    """No cycle for the month, a current sheet already there, not HR: each refused clearly."""
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_prepare(actor=org.hr.user, month=datetime.date(2026, 4, 1))
    assert exc.value.code == "no_cycle" and "2026-04" in str(exc.value)
    services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    assert exc.value.code == "sheet_exists" and exc.value.status == 409
    with pytest.raises(PermissionDeniedError):
        services.bonus_sheet_prepare(actor=org.leader.user, month=BONUS_MONTH)
    assert BonusSheet.objects.count() == 1


def test_opening_cycle_is_refused(org):
    bonus_cycle_for(status="opening")
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    assert exc.value.code == "cycle_opening"


@pytest.mark.parametrize("who", ["leader", "manager", "supervisor", "agent", "auditor"])
def test_only_hr_writes(org, month_data, who):
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    actor = getattr(org, who).user
    line = _lines(sheet)["王芳"]
    for call in (
        lambda: services.bonus_sheet_recompute(actor=actor, sheet_id=sheet.pk),
        lambda: services.bonus_sheet_approve(actor=actor, sheet_id=sheet.pk),
        lambda: services.bonus_sheet_correct(actor=actor, sheet_id=sheet.pk, reason="x"),
        lambda: services.bonus_line_adjust(actor=actor, line_id=line.pk, kind="reward", title="x", amount="1"),
    ):
        with pytest.raises(PermissionDeniedError):
            call()


def test_adjusting_a_line_of_another_sheet_is_not_found(org, month_data):
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = _lines(sheet)["王芳"]
    with pytest.raises(NotFoundError):
        services.bonus_line_adjust(
            actor=org.hr.user, line_id=line.pk, sheet_id=sheet.pk + 1000, kind="reward", title="x", amount="1"
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda hr, pk: services.bonus_sheet_recompute(actor=hr, sheet_id=pk),
        lambda hr, pk: services.bonus_sheet_approve(actor=hr, sheet_id=pk),
        lambda hr, pk: services.bonus_sheet_correct(actor=hr, sheet_id=pk, reason="x"),
        lambda hr, pk: services.bonus_line_adjust(
            actor=hr, sheet_id=pk, employee_no="E1", kind="reward", title="x", amount="1"
        ),
        lambda hr, pk: services.bonus_sheet_file_request(actor=hr, sheet_id=pk, file_format="csv"),
    ],
)
def test_an_unknown_sheet_id_is_not_found_and_nothing_is_written(org, month_data, call):
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    events = AuditEvent.objects.count()
    with pytest.raises(NotFoundError):
        call(org.hr.user, sheet.pk + 1000)
    assert AuditEvent.objects.count() == events
    assert BonusSheet.objects.get(pk=sheet.pk).status == "draft"


def test_adjusting_by_employee_number_finds_the_line_on_the_sheet(org, month_data):
    """The pages and the API name the line by employee number: the service finds it on the sheet
    under the sheet's lock, and an employee without a line is refused on that field."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = services.bonus_line_adjust(
        actor=org.hr.user, sheet_id=sheet.pk, employee_no=org.peer.employee_no, kind="reward", title="x", amount="5"
    )
    assert line.employee == org.peer and line.rewards == Decimal("5.00")
    with pytest.raises(ApplicationError) as exc:
        services.bonus_line_adjust(
            actor=org.hr.user, sheet_id=sheet.pk, employee_no="NOPE", kind="reward", title="x", amount="5"
        )
    assert exc.value.code == "line_not_found" and exc.value.field == "employee_no" and "NOPE" in str(exc.value)
