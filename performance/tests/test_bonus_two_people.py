"""Money leaves only with two people (SEC-2): whoever prepared a bonus sheet version or changed it in
any way (recompute, a reward or fine added or removed, a correction, an adjustment carried into it)
does not approve it; a correction is prepared by the person who corrects, and a reward someone
gave themselves is never carried over silently."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent
from performance import selectors, services
from performance.models import BonusLine, BonusSheet, BonusSheetChange
from performance.tests.factories import BONUS_MONTH, approver_hr, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db


def _hr(org, username, name):
    return f.EmployeeFactory(
        user=f.UserFactory(username=username, roles=[Role.HR]), team=org.b1, department=org.dept_b, name=name
    )


@pytest.fixture
def people(org):
    """Three HR colleagues: ``org.hr`` (黄丽), ``hr2`` (孙敏) and ``hr3`` (钱芳), all with lines."""
    hr2, hr3 = approver_hr(org), _hr(org, "hr3", "钱芳")
    cycle = bonus_cycle_for()
    for employee in (org.agent, org.peer, org.hr, hr2, hr3):
        bonus_appraisal_for(employee, cycle, 90)
    return org.hr, hr2, hr3


def _line(sheet, employee) -> BonusLine:
    return BonusLine.objects.get(sheet=sheet, employee=employee)


def _reward(actor, sheet, employee, amount="300"):
    return services.bonus_line_adjust(
        actor=actor.user, sheet_id=sheet.pk, employee_no=employee.employee_no, kind="reward", title="服务明星奖",
        amount=amount,
    )  # fmt: skip


def _refused(actor, sheet) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        services.bonus_sheet_approve(actor=actor.user, sheet_id=sheet.pk)
    return exc.value


@pytest.mark.parametrize("change", ["recompute", "adjust", "adjustment_remove"])
def test_whoever_changed_a_draft_does_not_approve_it(org, people, change):
    """Given a draft prepared by 黄丽, when 孙敏 changes it (recompute, adds or removes a reward),
    then neither of them may approve it (403 approver_changed_sheet, nothing changes) and the
    page names both; 钱芳, who changed nothing, approves it."""
    hr, hr2, hr3 = people
    sheet = services.bonus_sheet_prepare(actor=hr.user, month=BONUS_MONTH)
    if change == "recompute":
        services.bonus_sheet_recompute(actor=hr2.user, sheet_id=sheet.pk)
    elif change == "adjust":
        _reward(hr2, sheet, org.agent)
    else:
        line = _reward(hr, sheet, org.agent)
        services.bonus_line_adjustment_remove(actor=hr2.user, line_id=line.pk, position=0)
    events = AuditEvent.objects.count()
    for who in (hr, hr2):
        error = _refused(who, sheet)
        assert (error.code, error.status) == ("approver_changed_sheet", 403) and "SEC-2" in str(error.message)
    assert BonusSheet.objects.get(pk=sheet.pk).status == "draft" and AuditEvent.objects.count() == events
    approval = selectors.bonus_sheet_approval(user=hr3.user, sheet=sheet)
    assert approval.allowed and set(approval.changers) == {"黄丽", "孙敏"}
    assert not selectors.bonus_sheet_approval(user=hr2.user, sheet=sheet).allowed
    approved = services.bonus_sheet_approve(actor=hr3.user, sheet_id=sheet.pk)
    assert approved.approved_by == hr3.user and approved.prepared_by != approved.approved_by


def test_every_changing_service_records_its_change_in_its_transaction(org, people):
    hr, hr2, _hr3 = people
    sheet = services.bonus_sheet_prepare(actor=hr.user, month=BONUS_MONTH)
    line = _reward(hr2, sheet, org.agent)
    services.bonus_line_adjustment_remove(actor=hr2.user, line_id=line.pk, position=0)
    services.bonus_sheet_recompute(actor=hr.user, sheet_id=sheet.pk)
    assert list(BonusSheetChange.objects.filter(sheet=sheet).values_list("changed_by", "kind")) == [
        (hr.user.pk, "prepared"),
        (hr2.user.pk, "adjusted"),
        (hr2.user.pk, "adjustment_removed"),
        (hr.user.pk, "recomputed"),
    ]
    # a refused change records nothing
    with pytest.raises(PermissionDeniedError):
        _reward(hr2, sheet, hr2)
    assert BonusSheetChange.objects.filter(sheet=sheet).count() == 4


def test_an_approver_whose_own_line_carries_a_reward_or_fine_does_not_approve(org, people):
    """Given 孙敏 prepared the draft and gave 钱芳 a reward, when 钱芳 approves, then it is refused
    (own_record: discretionary money for oneself is approved by someone else); 黄丽 approves."""
    hr, hr2, hr3 = people
    sheet = services.bonus_sheet_prepare(actor=hr2.user, month=BONUS_MONTH)
    _reward(hr2, sheet, hr3)
    with pytest.raises(PermissionDeniedError) as exc:
        services.bonus_sheet_approve(actor=hr3.user, sheet_id=sheet.pk)
    assert exc.value.code == "own_record"
    assert not selectors.bonus_sheet_approval(user=hr3.user, sheet=sheet).allowed
    assert services.bonus_sheet_approve(actor=hr.user, sheet_id=sheet.pk).status == "approved"


def test_a_correction_is_prepared_by_the_corrector_and_its_carried_rewards_count_as_changes(org, people):
    """Given v1 prepared by 黄丽, a reward for 张伟 added by 孙敏, approved by 钱芳, when 钱芳
    corrects it, then v2 is prepared by 钱芳, the reward is carried, and neither 钱芳 (the
    corrector) nor 孙敏 (who decided the carried reward) approves v2; 黄丽 does."""
    hr, hr2, hr3 = people
    v1 = services.bonus_sheet_prepare(actor=hr.user, month=BONUS_MONTH)
    _reward(hr2, v1, org.agent)
    services.bonus_sheet_approve(actor=hr3.user, sheet_id=v1.pk)
    v2 = services.bonus_sheet_correct(actor=hr3.user, sheet_id=v1.pk, reason="考勤更正")
    assert v2.prepared_by == hr3.user and v2.not_carried == []
    assert _line(v2, org.agent).rewards == Decimal("300.00")
    assert set(BonusSheetChange.objects.filter(sheet=v2).values_list("changed_by", "kind")) == {
        (hr3.user.pk, "corrected"),
        (hr2.user.pk, "carried"),
    }
    for who in (hr3, hr2):
        assert _refused(who, v2).code == "approver_changed_sheet"
    assert services.bonus_sheet_approve(actor=hr.user, sheet_id=v2.pk).approved_by == hr.user


def _self_added_reward(sheet, employee, *, by):
    """A reward on ``employee``'s line written the way the services wrote it before the own-record
    rule (the draft's lines are writable in the database): ``by`` the user id, or None (no adder
    recorded)."""
    line = _line(sheet, employee)
    entry = {"rule": "reward", "article": "RWD-2", "amount": "5000.00", "title": "特别奖"}
    if by is not None:
        entry["by"] = by
    line.explanation = [*line.explanation, entry]
    line.rewards += Decimal("5000.00")
    line.total += Decimal("5000.00")
    line.save(update_fields=["explanation", "rewards", "total"])
    BonusSheet.objects.filter(pk=sheet.pk).update(total_amount=sheet.total_amount + Decimal("5000.00"))


@pytest.mark.parametrize("recorded", [True, False])
def test_a_reward_someone_gave_themselves_is_not_carried_over_silently(client, org, people, recorded):
    """Given an approved v1 on which 孙敏 had given themselves 5,000.00 (before the rule; with or
    without the adder recorded: without it, a reward on the line of v1's preparer or approver is
    treated as self-given), when 黄丽 corrects it, then v2 leaves it out, the correction's audit
    event lists it and the page says so; 张伟's reward from 孙敏 is carried."""
    hr, hr2, hr3 = people
    v1 = services.bonus_sheet_prepare(actor=hr2.user, month=BONUS_MONTH)
    _reward(hr2, v1, org.agent)
    _self_added_reward(v1, hr2, by=hr2.user.pk if recorded else None)
    services.bonus_sheet_approve(actor=hr3.user, sheet_id=v1.pk)
    assert _line(v1, hr2).rewards == Decimal("5000.00")
    client.force_login(hr.user)
    response = client.post(
        reverse("performance:bonus_sheet_correct", args=[v1.pk]), {"reason": "撤销自发奖励"}, follow=True
    )
    v2 = response.context["sheet"]
    assert v2.version == 2 and v2.prepared_by == hr.user
    assert _line(v2, hr2).rewards == Decimal("0.00") and _line(v2, org.agent).rewards == Decimal("300.00")
    assert hr2.employee_no in response.content.decode() and "SEC-2" in response.content.decode()
    event = AuditEvent.objects.get(action="bonus_sheet.correct", object_id=str(v1.pk))
    (left_out,) = event.changes["adjustments_not_carried"]
    assert left_out["employee_no"] == hr2.employee_no and left_out["amount"] == "5000.00"
    assert _line(v1, hr2).rewards == Decimal("5000.00")  # the approved version is kept as it was


# --- The migration: sheets approved by their own preparer before the rule -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_old_self_approved_sheets_and_backfills_who_changed_drafts(org):
    """Given, before migration 0008, a sheet approved by its own preparer and a draft adjusted by a
    colleague, when 0008 runs, then the old sheet is kept as it was, marked legacy_self_approval
    (the check lets it be, and it can still be corrected), and the draft knows who changed it."""
    executor = MigrationExecutor(connection)
    executor.migrate([("performance", "0007_indicator_description_en")])
    try:
        old, draft, colleague = _before_0008(org, executor)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    old = BonusSheet.objects.get(pk=old.pk)
    assert old.legacy_self_approval and old.status == "approved" and old.approved_by_id == old.prepared_by_id
    assert not BonusSheet.objects.get(pk=draft.pk).legacy_self_approval
    assert set(BonusSheetChange.objects.filter(sheet_id=draft.pk).values_list("changed_by", "kind")) == {
        (org.hr.user.pk, "prepared"),
        (colleague.user.pk, "adjusted"),
    }
    # the old sheet can still be superseded by a correction (the check and the triggers let it be)
    BonusSheet.objects.filter(pk=old.pk).update(status="superseded")


def _before_0008(org, executor):
    old_apps = executor.loader.project_state([("performance", "0007_indicator_description_en")]).apps
    sheets = old_apps.get_model("performance", "BonusSheet").objects
    cycles = old_apps.get_model("performance", "AppraisalCycle").objects
    now = timezone.now()
    march = cycles.create(month=BONUS_MONTH, status="locked", self_deadline=now.date(),
                                 superior_deadline=now.date(), locked_at=now)  # fmt: skip
    april = cycles.create(month=BONUS_MONTH.replace(month=4), status="open", self_deadline=now.date(),
                                 superior_deadline=now.date())  # fmt: skip
    old = sheets.create(month=march.month, cycle=march, prepared_by_id=org.hr.user.pk, employees=1)
    sheets.filter(pk=old.pk).update(status="approved", approved_by_id=org.hr.user.pk, approved_at=now)
    draft = sheets.create(month=april.month, cycle=april, prepared_by_id=org.hr.user.pk)
    colleague = approver_hr(org)
    AuditEvent.objects.create(
        actor=colleague.user, action="bonus_sheet.adjust", object_type="performance.bonussheet",
        object_id=str(draft.pk), prev_hash="0" * 64, hash="1" * 64,
    )  # fmt: skip
    return old, draft, colleague
