"""The month-end cycle (PRF-2): opening (who, what, automatic indicators with their
explanations), idempotent and resumable, the year boundary, refreshing, reminders once a day,
locking with and without force, and locked appraisals read-only down to the database."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification
from datasecurity.models import AuditEvent
from performance import rules, services
from performance.models import (
    Appraisal,
    AppraisalCycle,
    AppraisalItem,
    AppraisalPolicy,
    AppraisalStatus,
    CycleStatus,
    Indicator,
)
from performance.services import cycles
from performance.tests.factories import (
    MONTH,
    agent_template,
    attendance_days,
    aware,
    employee,
    follow_up,
    metric_days,
    scores,
)

ORG_PEOPLE = [
    *("agent", "peer", "supervisor", "other_team", "manager", "leader"),
    *("other_dept", "hr", "handler", "auditor"),
]


def snapshot(month=MONTH):
    """Every appraisal and item of the month, as comparable values."""
    appraisals = list(
        Appraisal.objects.filter(month=month)
        .order_by("employee_id")
        .values_list(
            "pk", "employee_id", "team_id", "department_id", "position_id", "evaluator_id", "status", "auto_score"
        )
    )
    items = list(
        AppraisalItem.objects.filter(appraisal__month=month)
        .order_by("appraisal_id", "order")
        .values_list("pk", "appraisal_id", "indicator_id", "weight", "auto_value", "auto_score", "explanation")
    )
    return appraisals, items


@pytest.fixture
def opened(org):
    agent_template(org)
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    return cycle


# --- Opening ---------------------------------------------------------------------------------------


def test_open_creates_one_appraisal_per_employee_with_snapshot_items_and_deadlines(org):
    """Given the AGENT template and the default policy, when the month-end job opens May 2025,
    then every employee gets one appraisal with their team, post and evaluator copied, the
    template's items (weights, scales, order), and the deadlines count from May 31 (PRF-2)."""
    template = agent_template(org)
    cycle, created = services.appraisal_cycle_open(month=datetime.date(2025, 5, 17))

    assert cycle.month == MONTH and cycle.status == CycleStatus.OPEN
    assert created == len(ORG_PEOPLE) == cycle.employees_expected
    assert cycle.self_deadline == datetime.date(2025, 6, 5)
    assert cycle.superior_deadline == datetime.date(2025, 6, 10)
    assert cycle.policy is None and cycle.policy_snapshot["self_weight"] == "30"
    a = Appraisal.objects.get(employee=org.agent, month=MONTH)
    assert (a.team, a.department, a.position, a.template, a.status) == (
        org.a1,
        org.dept_a,
        org.agent.position,
        template,
        AppraisalStatus.SELF,
    )
    assert a.evaluator == org.supervisor  # PRF-3: the direct superior, first of the reporting line
    items = list(a.items.order_by("order"))
    expected = list(template.items.order_by("order").values_list("indicator_id", "weight", "order"))
    assert [(i.indicator_id, i.weight, i.order) for i in items] == expected
    assert all(i.scale_max == i.indicator.scale_max and i.group == i.indicator.group for i in items)
    assert a.total_score is None and a.band == ""  # PRF-3: no total before the superior's evaluation


def test_evaluator_is_the_first_active_person_of_the_reporting_line(org):
    """Given agents with a supervisor, a team without one, and a department without managers,
    when the cycle opens, then the evaluator is the supervisor, else the manager, else none."""
    agent_template(org)
    services.appraisal_cycle_open(month=MONTH)
    evaluators = dict(Appraisal.objects.filter(month=MONTH).values_list("employee_id", "evaluator_id"))
    assert evaluators[org.agent.pk] == org.supervisor.pk
    assert evaluators[org.supervisor.pk] == org.manager.pk  # not themselves
    assert evaluators[org.other_team.pk] == org.manager.pk  # team A2 has no supervisor
    assert evaluators[org.other_dept.pk] is None  # department B has no manager or leader
    assert evaluators[org.hr.pk] is None


def test_who_is_appraised_at_month_end(org):
    """Given people hired after May, who left in May, who left in June, and a post without a
    template, when May opens, then only those employed on May 31 with a template are appraised;
    the one without a template is not (the review lists them)."""
    agent_template(org)
    late_hire = employee(org.a1, hire_date=datetime.date(2025, 6, 1))
    left_may = employee(org.a1, status="left", left_on=datetime.date(2025, 5, 20))
    left_june = employee(org.a1, status="left", left_on=datetime.date(2025, 6, 3))
    qa = employee(org.a1, position_code="QA")
    may_31 = datetime.date(2025, 5, 31)
    hired_last_day = employee(org.a1, hire_date=may_31, first_employed_on=may_31)

    cycle, created = services.appraisal_cycle_open(month=MONTH)

    appraised = set(Appraisal.objects.filter(month=MONTH).values_list("employee_id", flat=True))
    assert left_june.pk in appraised and hired_last_day.pk in appraised
    assert not {late_hire.pk, left_may.pk, qa.pk} & appraised
    assert created == len(ORG_PEOPLE) + 2 and cycle.status == CycleStatus.OPEN


def test_open_fills_automatic_items_from_metrics_attendance_and_complaints(org):
    """Given May metrics, two late days and one day of absenteeism, and a follow-up scored 4 of
    5, when the cycle opens, then each automatic item holds the measured value, the score of
    rules.auto_score and its explanation (PRF-1), and the appraisal's automatic part is set."""
    agent_template(org)
    metric_days(org.agent, MONTH, days=20, answered=80, resolved=72, qa="97.50")
    attendance_days(org.agent, MONTH, late=2, absent=1, normal=5)
    follow_up(org, org.agent, 4, aware(2025, 5, 20, 10))

    services.appraisal_cycle_open(month=MONTH)

    a = Appraisal.objects.get(employee=org.agent, month=MONTH)
    items = {i.indicator.auto_source: i for i in a.items.select_related("indicator") if i.method == "automatic"}
    attendance = items["attendance"]
    # PRF-1 / ATT-4 / ATT-5: 100 − 5 × 2 lateness − 20 × 1 day of absenteeism = 70.
    assert attendance.auto_score == Decimal("70.00") and attendance.auto_value == Decimal("2")
    assert attendance.explanation["rule"] == "attendance" and attendance.explanation["absence_days"] == "1"
    satisfaction = items["complaint_satisfaction"]
    assert satisfaction.auto_score == Decimal("80.00") and satisfaction.explanation["count"] == 1
    calls = items["calls_answered"]
    assert calls.auto_value == Decimal("1600.00")
    target = Indicator.objects.get(code="calls_answered").target
    assert calls.auto_score == rules.q2(min(Decimal(100), Decimal(1600) * 100 / target))
    assert calls.explanation["rule"] == "higher_better" and calls.explanation["days"] == 20
    assert "1600.00" in rules.explain(calls.explanation)
    assert a.auto_score is not None

    peer = Appraisal.objects.get(employee=org.peer, month=MONTH)
    peer_items = {i.indicator.auto_source: i for i in peer.items.select_related("indicator")}
    # No metrics imported: 0 and the explanation says to import, then refresh.
    assert peer_items["calls_answered"].auto_score == 0
    assert peer_items["calls_answered"].explanation["rule"] == "no_data"
    assert peer_items["complaint_satisfaction"].explanation["rule"] == "satisfaction_none"
    assert peer_items["attendance"].auto_score == 100


def test_open_notifies_in_app_without_email_and_audits_per_chunk(org, monkeypatch):
    """Given 10 employees and chunks of 4, when the cycle opens, then each active employee gets
    one in-app notice (no e-mail queued) and the audit trail has one event per chunk, not per
    appraisal."""
    agent_template(org)
    monkeypatch.setattr(cycles, "CYCLE_CHUNK", 4)
    before = AuditEvent.objects.count()
    services.appraisal_cycle_open(month=MONTH)

    notices = Notification.objects.filter(kind="appraisal.open")
    assert notices.count() == len(ORG_PEOPLE)
    assert notices.filter(recipient=org.agent.user).get().url == "/performance/"
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)[before:])
    assert actions.count("appraisal_cycle.open_chunk") == 3
    assert actions.count("appraisal_cycle.create") == 1 and actions.count("appraisal_cycle.open") == 1
    assert len(actions) == 5


def test_open_is_idempotent(org):
    """Given an opened cycle, when it is opened again, then nothing is created or changed and no
    audit event is written."""
    agent_template(org)
    metric_days(org.agent, MONTH)
    cycle, first = services.appraisal_cycle_open(month=MONTH)
    before = snapshot()
    audits = AuditEvent.objects.count()
    notices = Notification.objects.count()

    again, second = services.appraisal_cycle_open(month=MONTH)

    assert again.pk == cycle.pk and first == len(ORG_PEOPLE) and second == 0
    assert snapshot() == before
    assert AuditEvent.objects.count() == audits and Notification.objects.count() == notices


def test_open_resumes_after_a_crash_without_duplicates(org, monkeypatch):
    """Given chunks of 3 and a crash while writing the second chunk's items, when the job runs,
    then the first chunk stays (its own transaction), the second rolls back whole and the cycle
    stays "opening"; when it runs again, then it continues and ends "open", each employee once."""
    agent_template(org)
    monkeypatch.setattr(cycles, "CYCLE_CHUNK", 3)
    real = cycles._open_chunk_items
    calls = {"n": 0}

    def crash_on_second(pairs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        real(pairs)

    monkeypatch.setattr(cycles, "_open_chunk_items", crash_on_second)
    with pytest.raises(RuntimeError):
        services.appraisal_cycle_open(month=MONTH)
    cycle = AppraisalCycle.objects.get(month=MONTH)
    assert cycle.status == CycleStatus.OPENING
    assert Appraisal.objects.filter(month=MONTH).count() == 3
    assert AppraisalItem.objects.filter(appraisal__month=MONTH).count() == 3 * 7

    monkeypatch.setattr(cycles, "_open_chunk_items", real)
    cycle, created = services.appraisal_cycle_open(month=MONTH)
    assert created == len(ORG_PEOPLE) - 3 and cycle.status == CycleStatus.OPEN
    ids = list(Appraisal.objects.filter(month=MONTH).values_list("employee_id", flat=True))
    assert len(ids) == len(set(ids)) == len(ORG_PEOPLE)
    assert all(a.items.count() == 7 for a in Appraisal.objects.filter(month=MONTH))


def test_year_boundary_december_deadlines_in_january(org):
    """Given the default policy, when December 2025 opens, then the cycle is month 12 of 2025
    and its deadlines fall on 5 and 10 January 2026 (PRF-2)."""
    agent_template(org)
    cycle, _created = services.appraisal_cycle_open(month=datetime.date(2025, 12, 1))
    assert cycle.month == datetime.date(2025, 12, 1)
    assert (cycle.self_deadline, cycle.superior_deadline) == (datetime.date(2026, 1, 5), datetime.date(2026, 1, 10))


def test_policy_in_force_on_the_last_day_sets_deadlines_and_snapshot(org):
    """Given a policy version from 31 May 2025 (3 and 7 days), when May opens, then the cycle
    keeps that version and its deadlines."""
    agent_template(org)
    policy = AppraisalPolicy.objects.create(
        effective_from=datetime.date(2025, 5, 31), self_evaluation_days=3, superior_evaluation_days=7
    )
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    assert cycle.policy == policy and cycle.policy_snapshot["version_id"] == policy.pk
    assert (cycle.self_deadline, cycle.superior_deadline) == (datetime.date(2025, 6, 3), datetime.date(2025, 6, 7))


def test_month_not_ended_is_refused(org):
    """Given today, when someone opens the current month, then it is refused: a month is
    appraised at its end (PRF-2)."""
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_cycle_open(month=timezone.localdate())
    assert exc.value.code == "month_not_ended"
    assert not AppraisalCycle.objects.exists()


def test_open_queries_are_bounded_per_chunk(org, django_assert_max_num_queries, monkeypatch):
    """Given 10 employees in one chunk with every automatic source, when the cycle opens, then
    the query count does not grow with the employees (bulk writes, one read per source)."""
    agent_template(org)
    for person in ORG_PEOPLE:
        metric_days(getattr(org, person), MONTH, days=3)
    with django_assert_max_num_queries(50):  # ~20 per chunk + ~20 once (cycle, audit)
        services.appraisal_cycle_open(month=MONTH)


# --- Refresh -----------------------------------------------------------------------------------------


def test_refresh_fills_late_metrics_and_picks_up_new_employees(org, opened):
    """Given an opened cycle without metrics, when metrics arrive late and a new employee's post
    gets its template, and HR refreshes, then the automatic items are re-filled, the totals
    recomputed, the newcomer appraised; a second refresh changes nothing."""
    item = AppraisalItem.objects.get(appraisal__employee=org.agent, indicator__code="calls_answered")
    assert item.auto_score == 0
    metric_days(org.agent, MONTH, days=20, answered=80)
    newcomer = employee(org.a2)

    counts = services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=opened.pk)

    item.refresh_from_db()
    assert item.auto_value == Decimal("1600.00") and item.auto_score > 0
    assert counts["created"] == 1 and counts["appraisals_changed"] >= 1 and counts["items_changed"] >= 1
    assert Appraisal.objects.filter(employee=newcomer, month=MONTH).exists()
    before = snapshot()
    again = services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=opened.pk)
    assert again == {"created": 0, "items_changed": 0, "appraisals_changed": 0}
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="appraisal_cycle.refresh_auto").count() == 2


def test_refresh_keeps_scores_people_gave(org, opened):
    """Given a self-evaluation submitted, when HR refreshes, then the people's scores stay."""
    a = Appraisal.objects.get(employee=org.agent, month=MONTH)
    services.appraisal_self_save(actor=org.agent.user, appraisal_id=a.pk, items=scores(a, "80"), submit=True)
    a.refresh_from_db()
    self_score = a.self_score
    metric_days(org.agent, MONTH, days=20)
    services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=opened.pk)
    a.refresh_from_db()
    assert a.self_score == self_score and a.status == AppraisalStatus.SUPERIOR
    assert set(a.items.filter(method="manual").values_list("self_score", flat=True)) == {Decimal("80")}


def test_refresh_only_by_hr(org, opened):
    with pytest.raises(PermissionDeniedError):
        services.appraisal_cycle_refresh_auto(actor=org.manager.user, cycle_id=opened.pk)


# --- Reminders ----------------------------------------------------------------------------------------


def test_reminders_within_the_window_once_per_day(org, opened):
    """Given May's cycle (self due 5 June, superior due 10 June, reminders 2 days before), when
    the job runs on 2 June, then nobody is reminded; on 3 June every employee whose
    self-evaluation is pending is reminded, once; a rerun that day sends nothing."""
    assert services.appraisal_reminders_send(today=datetime.date(2025, 6, 2)) == 0
    sent = services.appraisal_reminders_send(today=datetime.date(2025, 6, 3))
    reminders = Notification.objects.filter(kind="appraisal.reminder")
    active_users = {getattr(org, p).user_id for p in ORG_PEOPLE}
    assert sent == len(active_users) == reminders.count()
    assert set(reminders.values_list("recipient_id", flat=True)) == active_users
    assert services.appraisal_reminders_send(today=datetime.date(2025, 6, 3)) == 0
    assert reminders.count() == sent


def test_evaluators_get_one_reminder_with_their_count(org, opened):
    """Given two of the supervisor's people submitted their self-evaluation, when the job runs
    near the superior's deadline, then the supervisor gets ONE reminder naming 2 (not one per
    appraisal) and the employees who have submitted are not reminded."""
    for person in (org.agent, org.peer):
        a = Appraisal.objects.get(employee=person, month=MONTH)
        services.appraisal_self_save(actor=person.user, appraisal_id=a.pk, items=scores(a, "80"), submit=True)
    Notification.objects.all().delete()
    services.appraisal_reminders_send(today=datetime.date(2025, 6, 8))
    to_supervisor = Notification.objects.filter(kind="appraisal.reminder", recipient=org.supervisor.user)
    # 8 June = superior deadline − 2 days. The supervisor evaluates agent and peer (submitted) and
    # manager and leader (also in A1; after the self deadline their pending self-evaluation lets
    # the superior evaluate): 4 in one notice, together with their own pending self-evaluation.
    assert to_supervisor.count() == 1
    assert "4" in to_supervisor.get().title and to_supervisor.get().url == "/performance/team/"
    assert not Notification.objects.filter(kind="appraisal.reminder", recipient=org.agent.user).exists()


def test_hr_reminds_now_regardless_of_the_window(org, opened):
    sent = services.appraisal_cycle_remind(actor=org.hr.user, cycle_id=opened.pk)
    assert sent >= len(ORG_PEOPLE)
    assert AuditEvent.objects.filter(action="appraisal_cycle.remind").count() == 1
    assert services.appraisal_cycle_remind(actor=org.hr.user, cycle_id=opened.pk) == 0
    with pytest.raises(PermissionDeniedError):
        services.appraisal_cycle_remind(actor=org.supervisor.user, cycle_id=opened.pk)


def test_no_reminders_for_a_locked_cycle(org, opened):
    services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=opened.pk, force=True)
    assert services.appraisal_reminders_send(today=datetime.date(2025, 6, 20)) == 0


# --- Lock ------------------------------------------------------------------------------------------------


def test_lock_refused_while_unfinished_naming_counts(org, opened):
    """Given every appraisal still awaiting the self-evaluation, when HR locks without force,
    then it is refused, naming how many and at which stage, and nothing changes."""
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=opened.pk)
    assert exc.value.code == "incomplete"
    assert exc.value.extra["unfinished"]["self"] == len(ORG_PEOPLE)
    assert str(len(ORG_PEOPLE)) in str(exc.value.message)
    opened.refresh_from_db()
    assert opened.status == CycleStatus.OPEN
    assert not Appraisal.objects.filter(status=AppraisalStatus.LOCKED).exists()


def test_lock_with_force_then_read_only(org, opened):
    """Given unfinished appraisals, when HR locks with force, then every appraisal is locked
    with its time, the cycle too, audited; locking twice is refused; the services and the
    database refuse any change to a locked appraisal or its items."""
    cycle = services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=opened.pk, force=True)
    assert cycle.status == CycleStatus.LOCKED and cycle.locked_by == org.hr.user
    assert Appraisal.objects.filter(month=MONTH).exclude(status=AppraisalStatus.LOCKED).count() == 0
    assert not Appraisal.objects.filter(month=MONTH, locked_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="appraisal_cycle.lock")
    assert event.changes["forced"] is True

    with pytest.raises(ApplicationError) as exc:
        services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=cycle.pk, force=True)
    assert exc.value.code == "already_locked"

    a = Appraisal.objects.get(employee=org.agent, month=MONTH)
    assert a.is_locked
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_self_save(actor=org.agent.user, appraisal_id=a.pk, items=scores(a, "80"))
    assert exc.value.code == "locked"
    with pytest.raises(ApplicationError):
        services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=cycle.pk)
    # The database itself refuses (migration 0003).
    for statement in (
        lambda: Appraisal.objects.filter(pk=a.pk).update(self_summary="changed"),
        lambda: AppraisalItem.objects.filter(appraisal=a).update(self_comment="changed"),
        lambda: AppraisalItem.objects.filter(appraisal=a).delete(),
        lambda: AppraisalCycle.objects.filter(pk=cycle.pk).update(employees_expected=1),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()
    # ...and a rerun of the month-end job leaves the locked month alone.
    assert services.appraisal_cycle_open(month=MONTH)[1] == 0


def test_lock_completed_cycle_without_force(org, opened):
    """Given every appraisal completed, when HR locks, then no force is needed."""
    Appraisal.objects.filter(month=MONTH).update(status=AppraisalStatus.COMPLETED)
    cycle = services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=opened.pk)
    assert cycle.status == CycleStatus.LOCKED
    assert AuditEvent.objects.get(action="appraisal_cycle.lock").changes["forced"] is False


def test_lock_only_by_hr_and_not_while_opening(org, opened):
    with pytest.raises(PermissionDeniedError):
        services.appraisal_cycle_lock(actor=org.leader.user, cycle_id=opened.pk, force=True)
    AppraisalCycle.objects.filter(pk=opened.pk).update(status=CycleStatus.OPENING)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=opened.pk, force=True)
    assert exc.value.code == "cycle_opening"


def test_policy_snapshot_is_kept(org, opened):
    """Given an opened cycle, when a new policy version starts later, then the cycle keeps its
    snapshot (rules.policy_from_snapshot reads the old weights)."""
    AppraisalPolicy.objects.create(effective_from=datetime.date(2025, 5, 1), self_weight=50, superior_weight=50)
    opened.refresh_from_db()
    assert rules.policy_from_snapshot(opened.policy_snapshot).self_weight == 30


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, pk: services.appraisal_cycle_refresh_auto(actor=actor, cycle_id=pk),
        lambda actor, pk: services.appraisal_cycle_refresh_start(actor=actor, cycle_id=pk),
        lambda actor, pk: services.appraisal_cycle_remind(actor=actor, cycle_id=pk),
        lambda actor, pk: services.appraisal_cycle_lock(actor=actor, cycle_id=pk, force=True),
    ],
)
def test_an_unknown_cycle_id_is_not_found(org, opened, call):
    """HR's actions on a cycle take its id and load it themselves: an unknown id is "not found"
    and the opened cycle is left as it was."""
    before = snapshot()
    with pytest.raises(NotFoundError):
        call(org.hr.user, opened.pk + 1000)
    assert snapshot() == before
    assert AppraisalCycle.objects.get(pk=opened.pk).status == "open"
