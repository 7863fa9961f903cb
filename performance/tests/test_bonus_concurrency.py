"""The bonus sheet under real parallel connections (PRF-4): the cycle row serialises two
preparations of a month, the sheet row serialises approval, recompute and correction, so a double
click or two HR users at once make one change, one audit event and one version."""

from decimal import Decimal

import pytest

from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent
from performance import services
from performance.models import BonusLine, BonusSheet
from performance.tests.factories import BONUS_MONTH, approver_hr, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cycle(org):
    """The locked March cycle: 张伟 95 (A), 王芳 82 (B), 刘洋 64 (D)."""
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 82), (org.other_team, 64)]:
        bonus_appraisal_for(employee, cycle, score)
    return cycle


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_two_preparations_of_a_month_at_once_make_one_sheet(org, cycle):
    """Given no sheet for March, when two HR clicks prepare it at the same moment, then one draft
    with its three lines exists, the other is told it exists, and one preparation is audited."""

    def prepare():
        services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)

    assert run_parallel([prepare, prepare]) == ["ok", "sheet_exists"]
    sheet = BonusSheet.objects.get()
    assert (sheet.version, sheet.status, sheet.employees) == (1, "draft", 3)
    assert BonusLine.objects.filter(sheet=sheet).count() == 3
    assert _events("bonus_sheet.prepare") == 1


def test_two_approvals_at_once_approve_once(org, cycle):
    """Given a draft, when it is approved twice at the same moment, then it is approved once and
    the second is told so; one approval audited."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    approver = approver_hr(org).user

    def approve():
        services.bonus_sheet_approve(actor=approver, sheet_id=sheet.pk)

    assert run_parallel([approve, approve]) == ["already_approved", "ok"]
    sheet.refresh_from_db()
    assert sheet.status == "approved" and sheet.approved_by == approver
    assert _events("bonus_sheet.approve") == 1


def test_a_recompute_racing_the_approval_never_changes_an_approved_sheet(org, cycle):
    """Given a draft whose bonus bases changed since it was prepared, when a recompute and the
    approval arrive at the same moment, then either the recompute lands first and is approved, or
    the approval lands first and the recompute is refused: the approved lines are whatever the
    approval saw, and no line changes after it."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    org.agent.bonus_base = Decimal("3000.00")
    org.agent.save(update_fields=["bonus_base"])

    prepared_total = sheet.total_amount
    approved = {}
    approver = approver_hr(org).user

    def recompute():
        services.bonus_sheet_recompute(actor=org.hr.user, sheet_id=sheet.pk)

    def approve():
        approved["total"] = services.bonus_sheet_approve(actor=approver, sheet_id=sheet.pk).total_amount

    outcomes = run_parallel([recompute, approve])
    sheet.refresh_from_db()
    assert sheet.status == "approved" and sheet.total_amount == approved["total"]
    assert sum(BonusLine.objects.filter(sheet=sheet).values_list("total", flat=True)) == sheet.total_amount
    zhang = BonusLine.objects.get(sheet=sheet, employee=org.agent)
    if outcomes == ["ok", "sheet_locked"]:  # the approval first: the prepared figures stand
        assert sheet.total_amount == prepared_total and zhang.performance_amount == Decimal("1200.00")
        assert _events("bonus_sheet.recompute") == 0
    else:  # the recompute first: the approval saw the new base (3,000 × 1.2)
        assert outcomes == ["ok", "ok"]
        assert zhang.performance_amount == Decimal("3600.00")
        assert _events("bonus_sheet.recompute") == 1
    assert _events("bonus_sheet.approve") == 1


def test_two_corrections_at_once_make_one_new_version(org, cycle):
    """Given an approved sheet, when two corrections arrive at the same moment, then there is one
    version 2 (draft) superseding version 1, and the other correction is refused."""
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    services.bonus_sheet_approve(actor=approver_hr(org).user, sheet_id=sheet.pk)

    def correct():
        services.bonus_sheet_correct(actor=org.hr.user, sheet_id=sheet.pk, reason="考勤更正")

    assert run_parallel([correct, correct]) == ["ok", "sheet_superseded"]
    versions = dict(BonusSheet.objects.values_list("version", "status"))
    assert versions == {1: "superseded", 2: "draft"}
    assert _events("bonus_sheet.correct") == 1
