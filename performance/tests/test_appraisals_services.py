"""The evaluation workflow (PRF-3) through its services: self-evaluation → superior's evaluation →
combined score → feedback interview with an improvement plan; HR sends back; a lock stops all.

Every allowed transition is exercised, every forbidden one is refused with a clear error and
changes nothing (appraisal, items, interview, actions, audit trail)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification
from datasecurity.models import AuditEvent
from performance import selectors, services
from performance.models import (
    Appraisal,
    AppraisalCycle,
    AppraisalPolicy,
    FeedbackInterview,
    ImprovementAction,
)
from performance.tests.factories import (
    MONTH,
    appraisal_for,
    auto_indicator,
    cycle_for,
    manual_indicator,
    manual_items,
    scores,
    template_for,
)

FUTURE = timezone.localdate() + datetime.timedelta(days=10)
HELD_ON = datetime.date(2025, 6, 12)
NEXT_MONTH = datetime.date(2025, 6, 1)


def state(appraisal):
    """Everything a refused call must leave untouched."""
    a = Appraisal.objects.get(pk=appraisal.pk)
    return (
        a.status,
        a.self_summary,
        a.superior_summary,
        a.self_submitted_at,
        a.superior_submitted_at,
        a.total_score,
        a.band,
        a.returned_reason,
        sorted(a.items.values_list("pk", "self_score", "self_comment", "superior_score", "superior_comment")),
        FeedbackInterview.objects.filter(appraisal=a).count(),
        sorted(ImprovementAction.objects.filter(employee=a.employee).values_list("pk", "status", "reviewed_in")),
        AuditEvent.objects.filter(action__startswith="appraisal.").count(),
        Notification.objects.count(),
    )


def submit_self(org, appraisal, value="80", who=None):
    return services.appraisal_self_save(
        actor=(who or org.agent).user,
        appraisal_id=appraisal.pk,
        items=scores(appraisal, value, "按时完成"),
        submit=True,
    )


def submit_superior(org, appraisal, value="90", who=None):
    return services.appraisal_superior_save(
        actor=(who or org.supervisor).user,
        appraisal_id=appraisal.pk,
        items=scores(appraisal, value, "表现良好"),
        summary="整体不错",
        submit=True,
    )


def interview(org, appraisal, who=None, **kw):
    kw.setdefault("held_on", HELD_ON)
    kw.setdefault("strengths", "业务熟练")
    kw.setdefault("problems", "通话时长偏长")
    return services.appraisal_interview_record(actor=(who or org.supervisor).user, appraisal_id=appraisal.pk, **kw)


@pytest.fixture
def appraisal(org):
    return appraisal_for(org.agent)


# --- Self-evaluation ---------------------------------------------------------------------------------


def test_self_draft_then_submit_goes_to_the_superior_and_notifies_them(org, appraisal):
    """Given an open appraisal, when the agent saves a partial draft and then submits every item,
    then the draft keeps the status, the submission moves it to the superior, who is notified."""
    first, second = manual_items(appraisal)
    services.appraisal_self_save(
        actor=org.agent.user,
        appraisal_id=appraisal.pk,
        items={first.pk: {"score": "75.5", "comment": "草稿"}},
        summary="小结",
    )
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "self" and a.self_summary == "小结" and a.self_submitted_at is None
    first.refresh_from_db()
    assert first.self_score == Decimal("75.50") and first.self_comment == "草稿"

    services.appraisal_self_save(
        actor=org.agent.user,
        appraisal_id=appraisal.pk,
        items={second.pk: {"score": 85, "comment": ""}},
        summary="小结",
        submit=True,
    )
    a.refresh_from_db()
    assert a.status == "superior" and a.self_submitted_at is not None
    assert a.self_score == Decimal("80.25")  # (75.5 × 15 + 85 × 15) / 30
    assert a.total_score is None and a.band == ""  # no total before the superior submits
    assert Notification.objects.filter(recipient=org.supervisor.user, kind="performance.self_submitted").exists()
    assert AuditEvent.objects.filter(action="appraisal.self_submit", object_id=str(a.pk)).exists()


def test_submitting_an_incomplete_self_evaluation_is_refused_and_changes_nothing(org, appraisal):
    """Given one manual item unscored, when the agent submits, then a clear error names it and
    nothing is saved (not even the scores sent with the refused submission)."""
    first, second = manual_items(appraisal)
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_self_save(
            actor=org.agent.user, appraisal_id=appraisal.pk, items={first.pk: {"score": "70"}}, submit=True
        )
    assert exc.value.code == "incomplete"
    assert second.indicator.display_name in str(exc.value.message)
    assert state(appraisal) == before


@pytest.mark.parametrize(
    "value,scale,ok",
    [
        ("0", 100, True),
        ("100", 100, True),
        ("80.10", 100, True),
        ("99.99", 100, True),
        ("100.01", 100, False),
        ("-0.01", 100, False),
        ("1.234", 100, False),
        ("abc", 100, False),
        ("NaN", 100, False),
        ("4.5", 5, True),
        ("5", 5, True),
        ("5.5", 5, False),
    ],
)
def test_scores_stay_on_the_item_scale_with_two_decimals(org, value, scale, ok):
    """Given an item scored on 0..scale, when a score is given, then it is stored (two places)
    or refused with a clear error (PRF-1)."""
    template = template_for(org.agent.position, [(manual_indicator(f"scale_{scale}", scale_max=scale), 100)])
    appraisal = appraisal_for(org.agent, template=template)
    item = manual_items(appraisal)[0]
    call = lambda: services.appraisal_self_save(  # noqa: E731
        actor=org.agent.user, appraisal_id=appraisal.pk, items={item.pk: {"score": value}}
    )
    if ok:
        call()
        item.refresh_from_db()
        assert item.self_score == Decimal(value).quantize(Decimal("0.01"))
    else:
        before = state(appraisal)
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.code == "score_invalid"
        assert state(appraisal) == before


def test_automatic_items_and_foreign_items_cannot_be_scored(org, appraisal):
    """Given an automatic item and an item of another appraisal, when the agent scores them,
    then both are refused (automatic items are read-only, PRF-1)."""
    auto = appraisal.items.filter(method="automatic").first()
    other = manual_items(appraisal_for(org.peer))[0]
    for item_id, code in [(auto.pk, "item_automatic"), (other.pk, "item_invalid"), ("x", "item_invalid")]:
        with pytest.raises(ApplicationError) as exc:
            services.appraisal_self_save(
                actor=org.agent.user, appraisal_id=appraisal.pk, items={item_id: {"score": "50"}}
            )
        assert exc.value.code == code


def test_only_the_employee_fills_the_self_evaluation(org, appraisal):
    """Given the agent's appraisal, when the supervisor or HR calls the self service, then it is
    refused (403); a peer who cannot see it gets 404."""
    for who in (org.supervisor, org.hr, org.manager):
        with pytest.raises(PermissionDeniedError):
            services.appraisal_self_save(actor=who.user, appraisal_id=appraisal.pk, items=scores(appraisal, "90"))
    with pytest.raises(NotFoundError):
        services.appraisal_self_save(actor=org.peer.user, appraisal_id=appraisal.pk, items=scores(appraisal, "90"))


def test_a_submitted_self_evaluation_cannot_be_changed(org, appraisal):
    submit_self(org, appraisal)
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_self_save(actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "100"))
    assert exc.value.code == "self_submitted"
    assert state(appraisal) == before


# --- The superior's evaluation and the combined score -----------------------------------------------------


def test_superior_before_the_self_evaluation_is_refused_until_the_deadline(org):
    """Given the self-evaluation not submitted and its deadline ahead, when the supervisor
    evaluates, then a clear error says to wait and nothing changes."""
    appraisal = appraisal_for(org.agent, cycle=cycle_for(self_deadline=FUTURE, superior_deadline=FUTURE))
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        submit_superior(org, appraisal)
    assert exc.value.code == "self_pending"
    assert org.agent.name in str(exc.value.message) and FUTURE.isoformat() in str(exc.value.message)
    assert state(appraisal) == before


def test_after_the_self_deadline_the_superior_score_counts_fully_and_says_so(org):
    """Given no self-evaluation and the deadline passed (2025-06-05), when the supervisor submits
    80 on every item, then the people-scored part is 80 (superior 100 %), the employee's unsent
    draft is ignored, and the explanation says why (PRF-3)."""
    appraisal = appraisal_for(org.agent, auto_score="90")
    services.appraisal_self_save(actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "10"))
    submit_superior(org, appraisal, value="80")
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "interview"
    assert a.self_score is None and a.superior_score == Decimal("80.00")
    assert a.total_score == Decimal("87.00")  # (70 × 90 + 30 × 80) / 100
    assert a.band == "B"
    assert a.explanation[0]["rule"] == "self_missing"
    lines = selectors.appraisal_explanation_lines(a)
    assert "2025-06-05" in lines[0] and "100%" in lines[0]


def test_standard_template_combined_score_is_explained(org, appraisal):
    """Given automatic items at 90 (weight 70) and the two manual items scored self 80 and
    superior 90 (weight 30), then each item is 0.3 × 80 + 0.7 × 90 = 87 and the combined score
    (70 × 90 + 30 × 87) / 100 = 89.10 → band B, coefficient 1.00; the explanation shows it."""
    submit_self(org, appraisal, "80")
    submit_superior(org, appraisal, "90")
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert (a.self_score, a.superior_score, a.auto_score) == (Decimal("80.00"), Decimal("90.00"), Decimal("90.00"))
    assert a.total_score == Decimal("89.10") and a.band == "B"
    assert a.superior_by == org.supervisor and a.superior_submitted_at is not None
    combined, band = a.explanation
    assert combined["self_weight"] == 30 and combined["superior_weight"] == 70 and combined["total"] == "89.10"
    assert band == {"rule": "score_band", "article": "PRF-4", "score": "89.10", "band": "B", "coefficient": "1.00"}
    assert Notification.objects.filter(recipient=org.agent.user, kind="performance.superior_submitted").exists()


def test_items_on_a_five_point_scale_are_converted_to_100(org):
    """Given one manual item on 0..5 (weight 100), self 4 (80) and superior 4.5 (90), then the
    combined score is 0.3 × 80 + 0.7 × 90 = 87.00."""
    template = template_for(org.agent.position, [(manual_indicator("five_point", scale_max=5), 100)])
    appraisal = appraisal_for(org.agent, template=template)
    submit_self(org, appraisal, "4")
    submit_superior(org, appraisal, "4.5")
    assert Appraisal.objects.get(pk=appraisal.pk).total_score == Decimal("87.00")


@pytest.mark.parametrize(
    "self_score,superior_score,total,band,coefficient",
    [
        ("80.00", "79.98", "79.99", "C", "0.80"),  # 32 + 47.988 = 79.988
        ("77.50", "81.67", "80.00", "B", "1.00"),  # 31 + 49.002 = 80.002
        ("90.00", "89.98", "89.99", "B", "1.00"),  # 36 + 53.988 = 89.988
        ("84.00", "94.00", "90.00", "A", "1.20"),  # 33.6 + 56.4 (30/70 would give 91.00)
        ("60.00", "60.00", "60.00", "D", "0.50"),
        ("59.99", "59.99", "59.99", "E", "0.00"),
    ],
)
def test_band_edges_with_a_changed_policy_version(org, self_score, superior_score, total, band, coefficient):
    """Given a policy version with self 40 % / superior 60 % in force for the month and one manual
    item of weight 100, when both evaluations are submitted, then the combined score and the
    band sit exactly at the PRF-4 edges, computed with that version's weights (PRF-3)."""
    AppraisalPolicy.objects.create(effective_from=datetime.date(2025, 1, 1), self_weight=40, superior_weight=60)
    template = template_for(org.agent.position, [(manual_indicator("overall"), 100)])
    appraisal = appraisal_for(org.agent, template=template)
    submit_self(org, appraisal, self_score)
    submit_superior(org, appraisal, superior_score)
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert (a.total_score, a.band) == (Decimal(total), band)
    assert a.explanation[-1]["coefficient"] == coefficient
    assert a.explanation[0]["self_weight"] == 40 and a.explanation[0]["superior_weight"] == 60


def test_a_policy_change_after_opening_does_not_rewrite_the_month(org, appraisal):
    """Given the cycle opened under 30/70, when a 50/50 version for that month is saved later,
    then the appraisal still combines with the cycle's snapshot (30/70)."""
    AppraisalPolicy.objects.create(effective_from=datetime.date(2025, 1, 1), self_weight=50, superior_weight=50)
    submit_self(org, appraisal, "80")
    submit_superior(org, appraisal, "90")
    assert Appraisal.objects.get(pk=appraisal.pk).total_score == Decimal("89.10")


def test_superior_submit_needs_every_item(org, appraisal):
    submit_self(org, appraisal)
    first = manual_items(appraisal)[0]
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, items={first.pk: {"score": "90"}}, submit=True
        )
    assert exc.value.code == "incomplete"
    assert state(appraisal) == before


def test_superior_draft_stays_private_until_submitted(org, appraisal):
    """Given a superior's draft, then the employee does not see its scores; after submission they do."""
    submit_self(org, appraisal)
    services.appraisal_superior_save(
        actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "70")
    )
    a = selectors.appraisal_get(user=org.agent.user, pk=appraisal.pk)
    access = selectors.appraisal_access(user=org.agent.user, appraisal=a)
    assert not access.show_superior
    groups = selectors.appraisal_item_groups(a, access)
    assert all(i.visible_superior_score is None for g in groups for i in g["items"])


def test_who_may_evaluate(org):
    """The evaluator evaluates; a supervisor of another team cannot see the appraisal (404); HR,
    the manager (while the evaluator is employed) and the employee are refused (403)."""
    appraisal = appraisal_for(org.agent)
    submit_self(org, appraisal)
    with pytest.raises(NotFoundError):
        services.appraisal_superior_save(actor=org.other_dept.user, appraisal_id=appraisal.pk, items={})
    for who, code in [(org.hr, "not_evaluator"), (org.manager, "not_evaluator"), (org.agent, "own_record")]:
        with pytest.raises(PermissionDeniedError) as exc:
            submit_superior(org, appraisal, who=who)
        assert exc.value.code == code


def test_a_supervisor_cannot_evaluate_themselves(org):
    """Given the supervisor's own appraisal (evaluator: the department manager), when the
    supervisor calls the superior service, then it is refused; the manager evaluates."""
    appraisal = appraisal_for(org.supervisor)
    assert appraisal.evaluator == org.manager
    submit_self(org, appraisal, who=org.supervisor)
    with pytest.raises(PermissionDeniedError) as exc:
        submit_superior(org, appraisal, who=org.supervisor)
    assert exc.value.code == "own_record"  # SEC-2's one rule (callcenter.duties); was own_appraisal
    submit_superior(org, appraisal, who=org.manager)


@pytest.mark.parametrize("case", ["left", "none"])
def test_the_department_manager_evaluates_when_the_evaluator_left_or_is_missing(org, case):
    appraisal = appraisal_for(org.agent, evaluator=None if case == "none" else org.supervisor)
    if case == "left":
        org.supervisor.status, org.supervisor.left_on = "left", datetime.date(2025, 6, 2)
        org.supervisor.save()
    submit_self(org, appraisal)
    assert Notification.objects.filter(recipient=org.manager.user, kind="performance.self_submitted").exists()
    submit_superior(org, appraisal, who=org.manager)
    assert Appraisal.objects.get(pk=appraisal.pk).superior_by == org.manager


# --- The feedback interview and the improvement plan -------------------------------------------------------


def test_interview_before_the_superior_is_refused(org, appraisal):
    submit_self(org, appraisal)
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        interview(org, appraisal)
    assert exc.value.code == "interview_not_ready"
    assert state(appraisal) == before


def test_interview_completes_and_open_actions_carry_to_next_month(org, appraisal):
    """Given an evaluated appraisal, when the interview is recorded with two actions, then it is
    completed, the employee notified; next month the open actions show on the appraisal and are
    reviewed at its interview (done / still open), and only the still-open one shows after."""
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    interview(
        org,
        appraisal,
        employee_comment="同意",
        actions=[
            {"action": "学习新业务知识库", "owner_id": org.agent.pk, "due_on": "2025-06-30"},
            {"action": "安排一次辅导", "owner_id": org.supervisor.pk, "due_on": datetime.date(2025, 6, 20)},
        ],
    )
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "completed"
    assert a.interview.strengths == "业务熟练" and a.interview.recorded_by == org.supervisor
    assert Notification.objects.filter(recipient=org.agent.user, kind="performance.interview_recorded").exists()
    learn, coach = ImprovementAction.objects.filter(appraisal=a).order_by("due_on").reverse()

    june = appraisal_for(org.agent, NEXT_MONTH)
    carried = selectors.open_actions_before(employee_id=org.agent.pk, month=NEXT_MONTH)
    assert {x.pk for x in carried} == {learn.pk, coach.pk}
    assert selectors.open_actions_before(employee_id=org.agent.pk, month=MONTH) == []
    submit_self(org, june)
    submit_superior(org, june)
    interview(
        org,
        june,
        held_on=timezone.localdate(),
        reviews=[
            {"action_id": coach.pk, "status": "done", "note": "已完成"},
            {"action_id": learn.pk, "status": "open", "note": "继续"},
        ],
    )
    coach.refresh_from_db()
    learn.refresh_from_db()
    assert (coach.status, coach.reviewed_in_id, coach.review_note) == ("done", june.pk, "已完成")
    assert (learn.status, learn.reviewed_in_id) == ("open", june.pk)
    july = datetime.date(2025, 7, 1)
    assert [x.pk for x in selectors.open_actions_before(employee_id=org.agent.pk, month=july)] == [learn.pk]


@pytest.mark.parametrize(
    "kw,code",
    [
        ({"strengths": " "}, "required"),
        ({"problems": ""}, "required"),
        ({"held_on": "2025-13-01"}, "date_invalid"),
        ({"held_on": datetime.date(2025, 4, 30)}, "date_early"),
        ({"held_on": timezone.localdate() + datetime.timedelta(days=1)}, "date_future"),
        ({"actions": [{"action": "x", "owner_id": "peer", "due_on": "2025-07-01"}]}, "owner_invalid"),
        ({"actions": [{"action": "", "owner_id": "agent", "due_on": "2025-07-01"}]}, "required"),
        ({"actions": [{"action": "x", "owner_id": "agent", "due_on": "2025-06-01"}]}, "due_invalid"),
        ({"reviews": [{"action_id": 999999, "status": "done"}]}, "review_invalid"),
    ],
)
def test_interview_input_is_checked(org, appraisal, kw, code):
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    for action in kw.get("actions", []):
        action["owner_id"] = getattr(org, action["owner_id"]).pk
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        interview(org, appraisal, **kw)
    assert exc.value.code == code
    assert state(appraisal) == before


def test_an_action_of_this_month_cannot_be_reviewed_as_a_previous_one(org, appraisal):
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    interview(org, appraisal, actions=[{"action": "x", "owner_id": org.agent.pk, "due_on": "2025-07-01"}])
    june = appraisal_for(org.agent, NEXT_MONTH)
    submit_self(org, june)
    submit_superior(org, june)
    action = ImprovementAction.objects.get()
    with pytest.raises(ApplicationError) as exc:
        interview(org, june, held_on=timezone.localdate(), reviews=[{"action_id": action.pk, "status": "closed"}])
    assert exc.value.code == "review_status_invalid"


# --- HR sends back --------------------------------------------------------------------------------------------


def test_hr_sends_back_to_the_self_evaluation(org, appraisal):
    """Given a submitted evaluation, when HR sends it back to the self step with a reason, then
    the status is self again, the total withdrawn, the employee notified and the reason kept;
    the superior then waits for the new submission even past the deadline."""
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    services.appraisal_send_back(actor=org.hr.user, appraisal_id=appraisal.pk, reason="自评说明不充分", stage="self")
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert (a.status, a.returned_reason, a.total_score, a.band) == ("self", "自评说明不充分", None, "")
    assert a.self_submitted_at is None and a.superior_submitted_at is None
    note = Notification.objects.get(recipient=org.agent.user, kind="performance.sent_back")
    assert "自评说明不充分" in note.body
    with pytest.raises(ApplicationError) as exc:
        submit_superior(org, a)
    assert exc.value.code == "self_pending"
    submit_self(org, a, "85")
    submit_superior(org, a, "90")
    a.refresh_from_db()
    assert a.status == "interview" and a.total_score == Decimal("89.55")  # items 0.3 × 85 + 0.7 × 90 = 88.5


def test_hr_sends_back_to_the_superior_after_the_interview(org, appraisal):
    """Given a completed appraisal, when HR sends it back to the superior, then the superior is
    notified, evaluates again, and the interview record is updated (not duplicated)."""
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    interview(org, appraisal)
    services.appraisal_send_back(actor=org.hr.user, appraisal_id=appraisal.pk, reason="评分依据不足", stage="superior")
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "superior" and a.self_submitted_at is not None
    assert Notification.objects.filter(recipient=org.supervisor.user, kind="performance.sent_back").exists()
    submit_superior(org, a, "100")
    interview(org, a, strengths="改进明显")
    a.refresh_from_db()
    assert a.status == "completed" and FeedbackInterview.objects.get(appraisal=a).strengths == "改进明显"


@pytest.mark.parametrize(
    "who,stage,prepare,code",
    [
        ("supervisor", "self", "superior", "permission_denied"),
        ("agent", "self", "superior", "permission_denied"),
        ("hr", "self", "", "send_back_invalid"),
        ("hr", "superior", "superior", "send_back_invalid"),
        ("hr", "later", "superior", "stage_invalid"),
    ],
)
def test_send_back_refusals(org, appraisal, who, stage, prepare, code):
    if prepare:
        submit_self(org, appraisal)
    before = state(appraisal)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_send_back(
            actor=getattr(org, who).user, appraisal_id=appraisal.pk, reason="原因", stage=stage
        )
    assert exc.value.code == code
    assert state(appraisal) == before


def test_send_back_needs_a_reason(org, appraisal):
    submit_self(org, appraisal)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_send_back(actor=org.hr.user, appraisal_id=appraisal.pk, reason="  ", stage="self")
    assert exc.value.code == "required"


# --- Locks -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lock", ["appraisal", "cycle"])
@pytest.mark.parametrize("step", ["self", "superior", "interview", "send_back"])
def test_nothing_changes_once_locked(org, lock, step):
    """Given an appraisal at the step's stage, when the appraisal or its whole cycle is locked,
    then the step is refused with a clear error and nothing changes (PRF-2)."""
    appraisal = appraisal_for(org.agent)
    if step in ("superior", "interview", "send_back"):
        submit_self(org, appraisal)
    if step in ("interview", "send_back"):
        submit_superior(org, appraisal)
    now = timezone.now()
    if lock == "appraisal":
        Appraisal.objects.filter(pk=appraisal.pk).update(status="locked", locked_at=now)
    else:
        AppraisalCycle.objects.filter(pk=appraisal.cycle_id).update(status="locked", locked_at=now)
    before = state(appraisal)
    calls = {
        "self": lambda: submit_self(org, appraisal),
        "superior": lambda: submit_superior(org, appraisal),
        "interview": lambda: interview(org, appraisal),
        "send_back": lambda: services.appraisal_send_back(
            actor=org.hr.user, appraisal_id=appraisal.pk, reason="原因", stage="self"
        ),
    }
    with pytest.raises(ApplicationError) as exc:
        calls[step]()
    assert exc.value.code == "locked" and exc.value.status == 409
    assert state(appraisal) == before


def test_every_state_change_is_audited(org, appraisal):
    submit_self(org, appraisal)
    submit_superior(org, appraisal)
    interview(org, appraisal)
    services.appraisal_send_back(actor=org.hr.user, appraisal_id=appraisal.pk, reason="复核", stage="superior")
    actions = list(
        AuditEvent.objects.filter(object_id=str(appraisal.pk), action__startswith="appraisal.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "appraisal.self_submit",
        "appraisal.superior_submit",
        "appraisal.interview_record",
        "appraisal.send_back",
    ]


def test_automatic_item_templates_need_no_manual_scoring(org):
    """Given a template of automatic items only, the self submission needs no score."""
    template = template_for(org.agent.position, [(auto_indicator("only_calls", "calls_answered", target=1000), 100)])
    appraisal = appraisal_for(org.agent, template=template, auto_score="95")
    services.appraisal_self_save(actor=org.agent.user, appraisal_id=appraisal.pk, items={}, submit=True)
    services.appraisal_superior_save(actor=org.supervisor.user, appraisal_id=appraisal.pk, items={}, submit=True)
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.total_score == Decimal("95.00") and a.band == "A"


# --- Ids in, one load under the lock -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,call",
    [
        ("other_dept", lambda org, pk: services.appraisal_self_save(actor=org.other_dept.user, appraisal_id=pk)),
        (
            "other_dept",
            lambda org, pk: services.appraisal_superior_save(actor=org.other_dept.user, appraisal_id=pk, submit=True),
        ),
        (
            "other_team",
            lambda org, pk: services.appraisal_interview_record(
                actor=org.other_team.user, appraisal_id=pk, held_on=HELD_ON, strengths="x", problems="y"
            ),
        ),
        (
            "hr",
            lambda org, pk: services.appraisal_send_back(
                actor=org.hr.user, appraisal_id=pk + 1000, reason="x", stage="self"
            ),
        ),
    ],
)
def test_an_appraisal_id_the_actor_may_not_see_is_not_found(org, who, call):
    """Given an appraisal the actor may not see (or no such id), when a service is called with its
    id, then it is "not found" (no leak of its existence) and nothing changes."""
    appraisal = appraisal_for(org.agent)
    submit_self(org, appraisal)
    before = state(appraisal)
    with pytest.raises(NotFoundError):
        call(org, appraisal.pk)
    assert state(appraisal) == before
