"""Performance services: the monthly appraisal cycle (PRF-2) and HR's review actions.

    (none) ──open──> opening ──(every employee with a template has an appraisal)──> open ──lock──> locked

- :func:`appraisal_cycle_open` — the month-end job (``performance.tasks.appraisal_month_end``,
  daily for the previous month) and HR's "open" button: the cycle with the policy in force on the
  month's last day and its deadlines, then one appraisal per employee employed at month end, in
  chunks of :data:`CYCLE_CHUNK` employees, each chunk its own transaction. Idempotent (a rerun creates
  nothing twice: the unique (employee, month) key, and each chunk re-reads who already has an
  appraisal under the cycle's row lock) and resumable (after a crash, the next run continues with
  the employees still missing; the cycle stays ``opening`` until then).
- :func:`appraisal_cycle_refresh_auto` — HR re-fills the automatic indicators of every unlocked
  appraisal (after a late metrics import) and recomputes their totals; picks up new employees.
- :func:`appraisal_reminders_send` — the daily reminder job; :func:`appraisal_cycle_remind` —
  HR's "send reminders now" for one cycle. At most one reminder per person per day.
- :func:`appraisal_cycle_lock` — HR closes the month: every appraisal becomes ``locked``
  (read-only, also in the database: migration 0003); refused while appraisals are unfinished
  unless forced (their bonus band is then E, PRF-4).

Who is appraised (PRF-2, scoring at month end): everyone employed on the month's last day, i.e.
hired on or before it and either still active or left *after* it (they worked the whole month,
and that month's bonus is still theirs). Employees whose post has no active template get no
appraisal; the review page lists them so HR can add the template and open again. The evaluator
is the first *active* person of the reporting line (``approval_chain``: team supervisor, else
department manager, else leader in charge); none → the review page lists them.

Bulk writes: one audit event per chunk (``appraisal_cycle.open_chunk`` with counts), never one
per appraisal (the audit chain serialises on its head row); the "your self-evaluation is open"
notice is in-app only (``email=False``: 5,000 e-mails at month end help nobody); reminders are
e-mailed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from attendance.selectors import attendance_month_results
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Employee, EmploymentStatus, Notification, User
from callcenter.roles import Role, has_role
from callcenter.selectors import approval_chain, employee_positions_on
from callcenter.services import hr_company_wide_require, notification_send
from complaints.selectors import complaint_follow_ups_by_agent
from datasecurity.services import audit_record
from performance import rules
from performance.errors import PerformanceErrorCode
from performance.models import (
    METRIC_SOURCES,
    Appraisal,
    AppraisalCycle,
    AppraisalItem,
    AppraisalStatus,
    AppraisalTemplate,
    AutoSource,
    CycleStatus,
    ScoringMethod,
    TemplateIndicator,
)
from performance.selectors import acting_evaluator, cycle_eligible_employees, metric_totals, policy_for_month
from performance.services.appraisals import appraisal_scores_apply
from training.selectors import training_indicator_inputs

__all__ = [
    "CYCLE_CHUNK",
    "REMINDER_KIND",
    "appraisal_cycle_lock",
    "appraisal_cycle_open",
    "appraisal_cycle_open_queued",
    "appraisal_cycle_refresh_auto",
    "appraisal_cycle_refresh_queued",
    "appraisal_cycle_refresh_start",
    "appraisal_cycle_remind",
    "appraisal_cycle_start",
    "appraisal_reminders_send",
]

CYCLE_CHUNK = 500  # employees per transaction of the opening and the refresh
_OPEN_KIND = "appraisal.open"
REMINDER_KIND = "appraisal.reminder"
_PENDING = (AppraisalStatus.SELF, AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW)
_AUTO_FIELDS = ["auto_value", "auto_score", "explanation"]


# --- Helpers ---------------------------------------------------------------------------------------


def _first_of_month(month) -> datetime.date:
    if isinstance(month, datetime.datetime):
        month = month.date()
    if not isinstance(month, datetime.date):
        raise ApplicationError(_("Give the month as a date (YYYY-MM-01)."), code=PerformanceErrorCode.INVALID_MONTH)
    return month.replace(day=1)


def _require_hr(actor) -> None:
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(
            _("Only HR manages the appraisal cycles (PRF-2)."), code=PerformanceErrorCode.HR_ONLY
        )
    hr_company_wide_require(actor)  # a cycle is the whole company's month


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _templates() -> dict[int, tuple[AppraisalTemplate, list[TemplateIndicator]]]:
    """{position id: (active template, its indicators in order)}. Two queries."""
    templates = {t.pk: t for t in AppraisalTemplate.objects.filter(active=True)}
    items = defaultdict(list)
    for ti in (
        TemplateIndicator.objects.filter(template_id__in=list(templates))
        .select_related("indicator")
        .order_by("template_id", "order", "id")
    ):
        items[ti.template_id].append(ti)
    return {t.position_id: (t, items[t.pk]) for t in templates.values() if items[t.pk]}


def _evaluator(employee: Employee) -> Employee | None:
    """PRF-3 "the direct superior": the first active person of the reporting line."""
    for _role, person in approval_chain(employee):
        if person.status == EmploymentStatus.ACTIVE:
            return person
    return None


class _AutoData:
    """What the automatic indicators read for one chunk of employees (bounded queries)."""

    def __init__(self, *, month: datetime.date, employees: list[Employee], sources: set[str], satisfaction: dict):
        ids = [e.pk for e in employees]
        self.metrics = metric_totals(month=month, employee_ids=ids) if sources & set(METRIC_SOURCES) else {}
        self.attendance = {}
        if AutoSource.ATTENDANCE in sources:
            self.attendance = attendance_month_results(employees=employees, month=month)
        self.satisfaction = satisfaction
        # Issue 16 (TRN-3): the month's assessments and missed mandatory courses, one bulk read.
        self.training = {}
        if AutoSource.TRAINING in sources:
            self.training = training_indicator_inputs(employee_ids=ids, month=month)

    def score(self, *, employee_id: int, indicator, policy) -> rules.AutoResult:
        attendance = None
        result = self.attendance.get(employee_id)
        if result is not None:
            attendance = rules.AttendanceFigures(
                lateness=result.occurrences,
                absence_days=result.absence_days,
                fines=result.fines,
                deduction=result.deduction,
            )
        return rules.auto_score(
            source=indicator.auto_source,
            target=indicator.target,
            metrics=self.metrics.get(employee_id),
            attendance=attendance,
            satisfaction=self.satisfaction.get(employee_id),
            policy=policy,
            training=self._training(employee_id),
        )

    def _training(self, employee_id: int) -> rules.TrainingFigures | None:
        inputs = self.training.get(employee_id)
        if inputs is None:
            return None
        return rules.TrainingFigures(
            scores=tuple(inputs.scores), missed=tuple(inputs.missed), deduction=inputs.deduction
        )


def _satisfaction(month: datetime.date, sources: set[str]) -> dict:
    if AutoSource.COMPLAINT_SATISFACTION not in sources:
        return {}
    return complaint_follow_ups_by_agent(month=month)


def _totals(appraisal: Appraisal, items: list[AppraisalItem]) -> list[str]:
    """Partial scores, and the combined score once the superior has submitted — the same rule as
    the evaluation workflow (PRF-3: a total only after the superior's evaluation)."""
    final = appraisal.superior_submitted_at is not None
    self_missing = final and appraisal.self_submitted_at is None
    return appraisal_scores_apply(appraisal, items, final=final, self_missing=self_missing)


def _cycle(pk: int) -> AppraisalCycle:
    cycle = AppraisalCycle.objects.filter(pk=pk).first()
    if cycle is None:
        raise NotFoundError(_("Appraisal cycle not found."))
    return cycle


def _lock_cycle(pk: int) -> AppraisalCycle:
    """The cycle row, locked (404 for an unknown id: the cycles hold no personal data, so whoever
    may act may know which exist)."""
    cycle = AppraisalCycle.objects.select_for_update().filter(pk=pk).first()
    if cycle is None:
        raise NotFoundError(_("Appraisal cycle not found."))
    return cycle


# --- Opening the month (PRF-2) ----------------------------------------------------------------------


def _cycle_for(month: datetime.date, actor) -> tuple[AppraisalCycle, bool]:
    """The month's cycle, created with the policy in force on its last day if missing."""
    with transaction.atomic():
        cycle = AppraisalCycle.objects.select_for_update().filter(month=month).first()
        if cycle is not None:
            return cycle, False
        policy = policy_for_month(month)
        last = rules.month_last_day(month)
        try:
            with transaction.atomic():
                cycle = AppraisalCycle.objects.create(
                    month=month,
                    status=CycleStatus.OPENING,
                    policy=policy if policy.pk else None,
                    policy_snapshot=rules.policy_snapshot(policy),
                    # PRF-2: deadlines count from the month's last day (December → January).
                    self_deadline=last + datetime.timedelta(days=policy.self_evaluation_days),
                    superior_deadline=last + datetime.timedelta(days=policy.superior_evaluation_days),
                    opened_by=_actor_user(actor),
                )
        except IntegrityError:  # another run created it a moment ago: continue with theirs
            return AppraisalCycle.objects.select_for_update().get(month=month), False
        audit_record(
            actor=actor,
            action="appraisal_cycle.create",
            obj=cycle,
            changes={
                "month": month.isoformat(),
                "policy_version": policy.pk,
                "self_deadline": cycle.self_deadline.isoformat(),
                "superior_deadline": cycle.superior_deadline.isoformat(),
            },
        )
        return cycle, True


def _build_items(
    *, employee: Employee, indicators: list[TemplateIndicator], auto: _AutoData, policy
) -> list[AppraisalItem]:
    items = []
    for ti in indicators:
        indicator = ti.indicator
        item = AppraisalItem(
            indicator=indicator,
            group=indicator.group,
            method=indicator.method,
            weight=ti.weight,
            scale_max=indicator.scale_max,
            order=ti.order,
        )
        if indicator.method == ScoringMethod.AUTOMATIC:
            result = auto.score(employee_id=employee.pk, indicator=indicator, policy=policy)
            item.auto_value, item.auto_score, item.explanation = result.value, result.score, result.explanation
        items.append(item)
    return items


def _open_chunk(*, cycle_pk: int, employee_ids: list[int], templates, satisfaction, actor, number: int) -> int:
    """Create the missing appraisals of one chunk in one transaction. Returns how many."""
    with transaction.atomic():
        cycle = _lock_cycle(cycle_pk)  # serialises two runs of the same month, chunk by chunk
        if cycle.status == CycleStatus.LOCKED:
            return 0
        month = cycle.month
        done = set(
            Appraisal.objects.filter(month=month, employee_id__in=employee_ids).values_list("employee_id", flat=True)
        )
        employees = list(
            Employee.objects.filter(pk__in=[i for i in employee_ids if i not in done])
            .select_related("team__supervisor", "department__manager", "department__leader_in_charge")
            .order_by("pk")
        )
        # The post held on the month's first day (issue 13): a transfer of post during the month
        # keeps this month's template; the new post's applies from the next month (PRF-1).
        held = employee_positions_on(day=month, employee_ids=[e.pk for e in employees])
        for employee in employees:
            employee.position_id = held.get(employee.pk, employee.position_id)  # read only, never saved
        employees = [e for e in employees if e.position_id in templates]
        if not employees:
            return 0
        policy = rules.policy_from_snapshot(cycle.policy_snapshot or {})
        sources = {
            ti.indicator.auto_source
            for e in employees
            for ti in templates[e.position_id][1]
            if ti.indicator.method == ScoringMethod.AUTOMATIC
        }
        auto = _AutoData(month=month, employees=employees, sources=sources, satisfaction=satisfaction)
        now = timezone.now()
        pairs = []
        for employee in employees:
            template, indicators = templates[employee.position_id]
            evaluator = _evaluator(employee)
            appraisal = Appraisal(
                cycle=cycle,
                month=month,
                employee=employee,
                department_id=employee.department_id,
                team_id=employee.team_id,
                position_id=employee.position_id,
                template=template,
                evaluator=evaluator,
                status=AppraisalStatus.SELF,
                created_at=now,
                updated_at=now,
            )
            items = _build_items(employee=employee, indicators=indicators, auto=auto, policy=policy)
            _totals(appraisal, items)
            pairs.append((appraisal, items))
        Appraisal.objects.bulk_create([a for a, _items in pairs], batch_size=CYCLE_CHUNK)
        _open_chunk_items(pairs)
        _open_notify(cycle, [a.employee for a, _items in pairs])
        audit_record(
            actor=actor,
            action="appraisal_cycle.open_chunk",
            obj=cycle,
            changes={
                "chunk": number,
                "appraisals_created": len(pairs),
                "without_evaluator": sum(1 for a, _items in pairs if a.evaluator_id is None),
                "employee_ids": [employees[0].pk, employees[-1].pk],
            },
        )
        return len(pairs)


def _open_chunk_items(pairs: list[tuple[Appraisal, list[AppraisalItem]]]) -> None:
    rows = []
    for appraisal, items in pairs:
        for item in items:
            item.appraisal = appraisal
            rows.append(item)
    AppraisalItem.objects.bulk_create(rows, batch_size=2000)


def _open_notify(cycle: AppraisalCycle, employees: list[Employee]) -> None:
    notification_send(
        recipients=[e.user_id for e in employees if e.status == EmploymentStatus.ACTIVE],
        kind=_OPEN_KIND,
        title=gettext_lazy("Your appraisal for %(month)s is open"),
        body=gettext_lazy(
            "Please complete your self-evaluation by %(deadline)s; your superior evaluates next (PRF-2, PRF-3)."
        ),
        url=reverse("performance:my_appraisal"),
        params={"month": cycle.month.strftime("%Y-%m"), "deadline": cycle.self_deadline.isoformat()},
        email=False,  # in-app only: the reminders near the deadline are e-mailed
    )


def _missing_ids(month: datetime.date, templates) -> tuple[list[int], int]:
    """(eligible employees with a template and no appraisal yet, eligible employees with a
    template). Two queries."""
    held = employee_positions_on(day=month)  # the post of the month's first day (issue 13)
    eligible = [
        pk
        for pk, position_id in cycle_eligible_employees(month).order_by("pk").values_list("pk", "position_id")
        if held.get(pk, position_id) in templates
    ]
    done = set(Appraisal.objects.filter(month=month).values_list("employee_id", flat=True))
    return [pk for pk in eligible if pk not in done], len(eligible)


def _ended_month(month) -> datetime.date:
    month = _first_of_month(month)
    if rules.month_last_day(month) >= timezone.localdate():
        raise ApplicationError(
            _("%(month)s has not ended yet; a month is appraised at its end (PRF-2).")
            % {"month": month.strftime("%Y-%m")},
            code=PerformanceErrorCode.MONTH_NOT_ENDED,
        )
    return month


def _refuse_overdue_unconfirmed(month: datetime.date, missing: int, confirmed: bool | None) -> None:
    """PRF-2: deadlines count from the month's last day. Opening a month so far past that the
    self-evaluation deadline has gone by creates appraisals that are overdue from the start (the
    reminders and the review list them as late at once): HR confirms that, knowing how many.
    ``confirmed`` None: nobody to ask (the month-end job, the worker finishing a confirmed opening)."""
    if confirmed is None or confirmed or not missing:
        return
    existing = AppraisalCycle.objects.filter(month=month).only("self_deadline", "superior_deadline").first()
    if existing is not None:
        self_deadline, superior_deadline = existing.self_deadline, existing.superior_deadline
    else:
        policy = policy_for_month(month)
        last = rules.month_last_day(month)
        self_deadline = last + datetime.timedelta(days=policy.self_evaluation_days)
        superior_deadline = last + datetime.timedelta(days=policy.superior_evaluation_days)
    today = timezone.localdate()
    if self_deadline >= today:
        return
    raise ApplicationError(
        ngettext(
            "%(month)s ended long ago: its self-evaluation deadline (%(self_deadline)s) has passed, so the "
            "%(count)s appraisal to be created will be overdue at once (PRF-2). Confirm to open it anyway.",
            "%(month)s ended long ago: its self-evaluation deadline (%(self_deadline)s) has passed, so the "
            "%(count)s appraisals to be created will be overdue at once (PRF-2). Confirm to open it anyway.",
            missing,
        )
        % {"month": month.strftime("%Y-%m"), "self_deadline": self_deadline.isoformat(), "count": missing},
        code=PerformanceErrorCode.OVERDUE_UNCONFIRMED,
        extra={
            "overdue": missing,
            "self_deadline": self_deadline.isoformat(),
            "superior_deadline": superior_deadline.isoformat(),
            "superior_overdue": superior_deadline < today,
        },
        field="confirm_overdue",
    )


def appraisal_cycle_start(*, month: datetime.date, actor, overdue_confirmed: bool = False) -> AppraisalCycle:
    """HR opens a month from the page (PRF-2): the cycle is created now, in status ``opening``
    with the number of employees to appraise, and the appraisals are created by a Celery task
    after commit (``appraisal_cycle_open`` in chunks; 5,000 employees take seconds), while the
    review page shows the progress. Starting again continues an interrupted opening; a locked or
    fully opened month is returned unchanged. A month whose self-evaluation deadline has passed
    is opened only once HR confirms the appraisals will be overdue (``overdue_confirmed``)."""
    _require_hr(actor)
    month = _ended_month(month)
    if not AppraisalCycle.objects.filter(month=month, status=CycleStatus.LOCKED).exists():
        _refuse_overdue_unconfirmed(month, len(_missing_ids(month, _templates())[0]), overdue_confirmed)
    with transaction.atomic():
        cycle, _created = _cycle_for(month, actor)  # row-locked until commit
        if cycle.status == CycleStatus.LOCKED:
            return cycle
        missing, expected = _missing_ids(month, _templates())
        # The number to appraise now (the progress bar's denominator); nobody missing: open now.
        cycle = _open_finish(cycle_pk=cycle.pk, expected=expected, created=0, actor=actor)
        if missing:
            from performance.tasks import appraisal_cycle_open_run  # noqa: PLC0415 - enqueue: tasks import services

            appraisal_cycle_open_run.delay_on_commit(month.isoformat(), _actor_user(actor).pk)
    return cycle


def appraisal_cycle_open(
    *, month: datetime.date, actor=None, overdue_confirmed: bool | None = None
) -> tuple[AppraisalCycle, int]:
    """PRF-2: open (or continue opening) the appraisal cycle of ``month``. Returns the cycle and
    how many appraisals this run created (0 on a rerun). A locked cycle is left alone. With
    ``overdue_confirmed`` False, a month whose self-evaluation deadline has passed is refused until
    confirmed (the page and the API ask HR); the month-end job and the worker (None) open it as
    asked."""
    month = _ended_month(month)
    locked = AppraisalCycle.objects.filter(month=month, status=CycleStatus.LOCKED).exists()
    if overdue_confirmed is not None and not locked:
        _refuse_overdue_unconfirmed(month, len(_missing_ids(month, _templates())[0]), overdue_confirmed)
    cycle, _created = _cycle_for(month, actor)
    if cycle.status == CycleStatus.LOCKED:
        return cycle, 0
    templates = _templates()
    missing, expected = _missing_ids(month, templates)
    sources = {ti.indicator.auto_source for _t, items in templates.values() for ti in items}
    satisfaction = _satisfaction(month, sources) if missing else {}
    created = 0
    for number, start in enumerate(range(0, len(missing), CYCLE_CHUNK), start=1):
        created += _open_chunk(
            cycle_pk=cycle.pk,
            employee_ids=missing[start : start + CYCLE_CHUNK],
            templates=templates,
            satisfaction=satisfaction,
            actor=actor,
            number=number,
        )
    return _open_finish(cycle_pk=cycle.pk, expected=expected, created=created, actor=actor), created


def appraisal_cycle_open_queued(
    *, month: str | datetime.date, actor_id: int | None = None
) -> tuple[AppraisalCycle, int]:
    """The opening HR started from the page (:func:`appraisal_cycle_start`), run by the worker:
    :func:`appraisal_cycle_open` as the user who asked (``actor_id``; none: the job). Idempotent,
    so a redelivered task creates nothing twice."""
    if isinstance(month, str):
        month = datetime.date.fromisoformat(month)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return appraisal_cycle_open(month=month, actor=actor)


def _open_finish(*, cycle_pk: int, expected: int, created: int, actor) -> AppraisalCycle:
    with transaction.atomic():
        cycle = _lock_cycle(cycle_pk)
        if cycle.status == CycleStatus.LOCKED:
            return cycle
        appraised = Appraisal.objects.filter(cycle=cycle).count()
        fields = []
        if cycle.employees_expected != max(expected, appraised):
            cycle.employees_expected = max(expected, appraised)
            fields.append("employees_expected")
        if cycle.status == CycleStatus.OPENING and appraised >= expected:
            cycle.status = CycleStatus.OPEN
            fields.append("status")
        if fields:
            cycle.save(update_fields=fields)
        if created or "status" in fields:
            audit_record(
                actor=actor,
                action="appraisal_cycle.open",
                obj=cycle,
                changes={
                    "status": cycle.status,
                    "appraisals_created": created,
                    "appraisals": appraised,
                    "expected": cycle.employees_expected,
                },
            )
        return cycle


# --- Refreshing the automatic indicators -------------------------------------------------------------


def appraisal_cycle_refresh_auto(*, actor, cycle_id: int) -> dict:
    """HR re-fills the automatic indicators (metrics, attendance, complaint satisfaction) of every
    unlocked appraisal of ``cycle`` and recomputes their scores (PRF-1, PRF-3), after opening the
    appraisals of employees added since. Idempotent: a second run changes nothing. Returns the
    counts {"created", "items_changed", "appraisals_changed"}."""
    _require_hr(actor)
    return _refresh(actor=actor, cycle=_cycle(cycle_id))


def _refresh(*, actor, cycle: AppraisalCycle) -> dict:
    _refuse_locked_cycle(cycle)
    cycle, created = appraisal_cycle_open(month=cycle.month, actor=actor)
    ids = list(
        Appraisal.objects.filter(cycle=cycle)
        .exclude(status=AppraisalStatus.LOCKED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sources = set(
        AppraisalItem.objects.filter(appraisal__cycle=cycle, method=ScoringMethod.AUTOMATIC)
        .values_list("indicator__auto_source", flat=True)
        .distinct()
    )
    satisfaction = _satisfaction(cycle.month, sources)
    items_changed = appraisals_changed = 0
    for start in range(0, len(ids), CYCLE_CHUNK):
        a, i = _refresh_chunk(cycle_pk=cycle.pk, ids=ids[start : start + CYCLE_CHUNK], satisfaction=satisfaction)
        appraisals_changed += a
        items_changed += i
    counts = {"created": created, "items_changed": items_changed, "appraisals_changed": appraisals_changed}
    with transaction.atomic():
        cycle = _lock_cycle(cycle.pk)
        if cycle.status != CycleStatus.LOCKED:  # locked meanwhile: the cycle row is read-only
            cycle.refreshed_at = timezone.now()
            cycle.refresh_counts = counts
            cycle.save(update_fields=["refreshed_at", "refresh_counts"])
        audit_record(
            actor=actor,
            action="appraisal_cycle.refresh_auto",
            obj=cycle,
            changes={**counts, "appraisals": len(ids)},
        )
    return counts


def _refuse_locked_cycle(cycle: AppraisalCycle) -> None:
    if cycle.status == CycleStatus.LOCKED:
        raise ApplicationError(
            _("The %(month)s cycle is locked; its appraisals can no longer change (PRF-2).")
            % {"month": cycle.month.strftime("%Y-%m")},
            code=PerformanceErrorCode.CYCLE_LOCKED,
            status=409,
        )


def appraisal_cycle_refresh_start(*, actor, cycle_id: int) -> AppraisalCycle:
    """HR's "refresh automatic indicators" from the page (PRF-1, PRF-2): the refresh runs in the
    worker (``appraisal_cycle_refresh_auto``, seconds for 5,000 employees); the cycle records
    when it was queued, and when it finished with its counts, so the review page shows it.
    Queuing again while one is pending queues nothing more. HR is notified with the counts."""
    _require_hr(actor)
    with transaction.atomic():
        cycle = _lock_cycle(cycle_id)
        _refuse_locked_cycle(cycle)
        if cycle.refresh_pending:
            return cycle
        cycle.refresh_queued_at = timezone.now()
        cycle.save(update_fields=["refresh_queued_at"])
        from performance.tasks import appraisal_cycle_refresh_run  # noqa: PLC0415 - enqueue: tasks import services

        appraisal_cycle_refresh_run.delay_on_commit(cycle.pk, _actor_user(actor).pk)
    return cycle


def appraisal_cycle_refresh_queued(*, cycle_id: int, actor_id: int) -> dict:
    """The queued refresh HR started from the page (run by the worker, as the user who asked):
    refresh, then tell HR the counts in the app. Returns the counts."""
    actor = User.objects.filter(pk=actor_id).first()
    _require_hr(actor)
    cycle = _cycle(cycle_id)
    counts = _refresh(actor=actor, cycle=cycle)
    notification_send(
        recipients=[actor],
        kind="appraisal.refresh_done",
        title=gettext_lazy("Automatic indicators of %(month)s refreshed"),
        body=gettext_lazy(
            "%(items)s items and %(appraisals)s scores changed, %(created)s appraisals opened (PRF-1, PRF-2)."
        ),
        url=reverse("performance:cycle_review", args=[cycle.pk]),
        params={
            "month": cycle.month.strftime("%Y-%m"),
            "items": counts["items_changed"],
            "appraisals": counts["appraisals_changed"],
            "created": counts["created"],
        },
        email=False,
    )
    return counts


def _refresh_chunk(*, cycle_pk: int, ids: list[int], satisfaction: dict) -> tuple[int, int]:
    with transaction.atomic():
        cycle = _lock_cycle(cycle_pk)
        if cycle.status == CycleStatus.LOCKED:
            return 0, 0
        appraisals = list(
            Appraisal.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .exclude(status=AppraisalStatus.LOCKED)
            .select_related("employee")
            .order_by("pk")
        )
        for appraisal in appraisals:
            appraisal.cycle = cycle
        items_by = defaultdict(list)
        for item in (
            AppraisalItem.objects.select_for_update(of=("self",))
            .filter(appraisal_id__in=[a.pk for a in appraisals])
            .select_related("indicator")
            .order_by("appraisal_id", "order", "id")
        ):
            items_by[item.appraisal_id].append(item)
        sources = {i.indicator.auto_source for items in items_by.values() for i in items if i.method == "automatic"}
        policy = rules.policy_from_snapshot(cycle.policy_snapshot or {})
        auto = _AutoData(
            month=cycle.month, employees=[a.employee for a in appraisals], sources=sources, satisfaction=satisfaction
        )
        changed_items, changed_appraisals = [], []
        for appraisal in appraisals:
            items = items_by[appraisal.pk]
            for item in items:
                if item.method != ScoringMethod.AUTOMATIC:
                    continue
                result = auto.score(employee_id=appraisal.employee_id, indicator=item.indicator, policy=policy)
                if (item.auto_value, item.auto_score, item.explanation) != (
                    result.value,
                    result.score,
                    result.explanation,
                ):
                    item.auto_value, item.auto_score, item.explanation = result.value, result.score, result.explanation
                    changed_items.append(item)
            before = _score_state(appraisal)
            fields = _totals(appraisal, items)
            if _score_state(appraisal) != before:
                changed_appraisals.append(appraisal)
        AppraisalItem.objects.bulk_update(changed_items, _AUTO_FIELDS, batch_size=2000)
        if changed_appraisals:
            Appraisal.objects.bulk_update(changed_appraisals, fields, batch_size=CYCLE_CHUNK)
            audit_record(
                actor=None,
                action="appraisal_cycle.refresh_chunk",
                obj=cycle,
                changes={"appraisals_changed": len(changed_appraisals), "items_changed": len(changed_items)},
            )
        return len(changed_appraisals), len(changed_items)


def _score_state(appraisal: Appraisal) -> tuple:
    def d(value):
        return None if value is None else Decimal(value)

    return (
        d(appraisal.self_score),
        d(appraisal.superior_score),
        d(appraisal.auto_score),
        d(appraisal.total_score),
        appraisal.band,
        appraisal.explanation,
    )


# --- Reminders (PRF-2) ------------------------------------------------------------------------------


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _remind(*, today: datetime.date, cycles: Iterable[AppraisalCycle], window: bool) -> int:
    """Send the reminders of ``cycles`` (within ``reminder_days_before`` of a deadline or after it
    when ``window``; always otherwise). One per person per day. Returns how many were sent."""
    # Notifications are stamped with the clock: "today" for the once-a-day rule is the local date.
    start, end = _day_bounds(timezone.localdate())
    already = set(
        Notification.objects.filter(kind=REMINDER_KIND, created_at__gte=start, created_at__lt=end).values_list(
            "recipient_id", flat=True
        )
    )
    self_due: dict[int, AppraisalCycle] = {}  # employee user id -> the cycle to remind about
    evaluator_counts: dict[int, int] = defaultdict(int)  # evaluator user id -> pending evaluations
    for cycle in sorted(cycles, key=lambda c: c.month):
        policy = rules.policy_from_snapshot(cycle.policy_snapshot or {})
        days = datetime.timedelta(days=policy.reminder_days_before)
        remind_self = not window or today >= cycle.self_deadline - days
        remind_superior = not window or today >= cycle.superior_deadline - days
        if remind_self:
            for user_id in (
                Appraisal.objects.filter(
                    cycle=cycle, status=AppraisalStatus.SELF, employee__status=EmploymentStatus.ACTIVE
                )
                .values_list("employee__user_id", flat=True)
                .order_by()
            ):
                self_due.setdefault(user_id, cycle)
        if remind_superior:
            stages = [AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW]
            if today > cycle.self_deadline:
                stages.append(AppraisalStatus.SELF)  # PRF-3: the superior may evaluate without it now
            pending = (
                Appraisal.objects.filter(cycle=cycle, status__in=stages)
                .select_related("evaluator", "department__manager")
                .order_by("pk")
            )
            for appraisal in pending:
                evaluator = acting_evaluator(appraisal)
                if evaluator is not None:
                    evaluator_counts[evaluator.user_id] += 1
    sent = 0
    # One notice per person: the self-evaluation reminder, the evaluator's count, or both in one.
    self_only: dict[int, list[int]] = defaultdict(list)  # cycle pk -> user ids
    both: dict[tuple[int, int], list[int]] = defaultdict(list)  # (cycle pk, count) -> user ids
    evaluator_only: dict[int, list[int]] = defaultdict(list)  # count -> user ids
    cycle_of = {}
    for user_id, cycle in self_due.items():
        if user_id in already:
            continue
        cycle_of[cycle.pk] = cycle
        if user_id in evaluator_counts:
            both[(cycle.pk, evaluator_counts[user_id])].append(user_id)
        else:
            self_only[cycle.pk].append(user_id)
    for user_id, count in evaluator_counts.items():
        if user_id not in already and user_id not in self_due:
            evaluator_only[count].append(user_id)

    def send(user_ids, title, body, url, params) -> int:
        return len(
            notification_send(recipients=user_ids, kind=REMINDER_KIND, title=title, body=body, url=url, params=params)
        )

    def month_params(cycle) -> dict:
        return {"month": cycle.month.strftime("%Y-%m"), "deadline": cycle.self_deadline.isoformat()}

    with transaction.atomic():
        for cycle_pk, user_ids in self_only.items():
            sent += send(
                user_ids,
                gettext_lazy("Reminder: your self-evaluation for %(month)s"),
                gettext_lazy(
                    "Your self-evaluation for %(month)s is due on %(deadline)s (PRF-2). After that date your "
                    "superior evaluates without it."
                ),
                reverse("performance:my_appraisal"),
                month_params(cycle_of[cycle_pk]),
            )
        for (cycle_pk, count), user_ids in both.items():
            sent += send(
                user_ids,
                gettext_lazy("Reminder: %(count)s appraisals wait for you, and your own self-evaluation"),
                gettext_lazy(
                    "%(count)s appraisals of your team wait for your evaluation or feedback interview, and your own "
                    "self-evaluation for %(month)s is due on %(deadline)s (PRF-2, PRF-3)."
                ),
                reverse("performance:team_appraisals"),
                {**month_params(cycle_of[cycle_pk]), "count": count},
            )
        for count, user_ids in sorted(evaluator_only.items()):
            sent += send(
                user_ids,
                gettext_lazy("Reminder: %(count)s appraisals wait for your evaluation"),
                gettext_lazy(
                    "%(count)s appraisals of your team wait for your evaluation or feedback interview (PRF-2, "
                    "PRF-3). Please complete them before the deadline."
                ),
                reverse("performance:team_appraisals"),
                {"count": count},
            )
    return sent


def appraisal_reminders_send(*, today: datetime.date) -> int:
    """The daily reminder job (PRF-2): for every cycle not yet locked, within the policy's
    ``reminder_days_before`` of a deadline or after it, remind the employees whose
    self-evaluation is pending and, once per evaluator with the count, the superiors whose
    evaluations or interviews are pending. At most one reminder per person per day (a rerun the
    same day sends nothing). Returns how many were sent."""
    cycles = list(AppraisalCycle.objects.exclude(status=CycleStatus.LOCKED))
    return _remind(today=today, cycles=cycles, window=True)


def appraisal_cycle_remind(*, actor, cycle_id: int) -> int:
    """HR's "send reminders now" for one cycle, whatever the deadlines (still at most one per
    person per day). Audited with the count."""
    _require_hr(actor)
    with transaction.atomic():
        cycle = _lock_cycle(cycle_id)
        if cycle.status == CycleStatus.LOCKED:
            raise ApplicationError(
                _("The %(month)s cycle is locked; there is nothing left to remind about.")
                % {"month": cycle.month.strftime("%Y-%m")},
                code=PerformanceErrorCode.CYCLE_LOCKED,
                status=409,
            )
        sent = _remind(today=timezone.localdate(), cycles=[cycle], window=False)
        audit_record(actor=actor, action="appraisal_cycle.remind", obj=cycle, changes={"reminders_sent": sent})
    return sent


# --- Locking the month --------------------------------------------------------------------------------


def appraisal_cycle_lock(*, actor, cycle_id: int, force: bool = False) -> AppraisalCycle:
    """HR closes the month (PRF-2): every appraisal of the cycle becomes ``locked`` and read-only
    (the services refuse changes, and a database trigger refuses any UPDATE of a locked appraisal
    or its items). Refused while appraisals are not completed, naming how many at which stage,
    unless ``force`` — then they are locked as they are and earn band E on the bonus sheet
    (PRF-4: no completed appraisal, no performance bonus)."""
    _require_hr(actor)
    with transaction.atomic():
        cycle = _lock_cycle(cycle_id)
        month = cycle.month.strftime("%Y-%m")
        if cycle.status == CycleStatus.LOCKED:
            raise ApplicationError(
                _("The %(month)s cycle is already locked.") % {"month": month},
                code=PerformanceErrorCode.ALREADY_LOCKED,
                status=409,
            )
        if cycle.status == CycleStatus.OPENING:
            raise ApplicationError(
                _("The %(month)s cycle is still being opened; open it again to finish, then lock it.")
                % {"month": month},
                code=PerformanceErrorCode.CYCLE_OPENING,
                status=409,
            )
        # Row locks on every appraisal: a save in progress finishes first, a later one sees "locked".
        list(Appraisal.objects.select_for_update().filter(cycle=cycle).values_list("pk", flat=True))
        counts = dict(Appraisal.objects.filter(cycle=cycle).values_list("status").annotate(n=Count("pk")).order_by())
        unfinished = {s: counts.get(s, 0) for s in _PENDING}
        total_unfinished = sum(unfinished.values())
        if total_unfinished and not force:
            raise ApplicationError(
                _(
                    "%(count)s appraisals are not completed: %(self)s awaiting the self-evaluation, %(superior)s "
                    "awaiting the superior's evaluation, %(interview)s awaiting the feedback interview. Finish them, "
                    "or lock anyway: they will be locked as they are and earn band E (no performance bonus, PRF-4)."
                )
                % {
                    "count": total_unfinished,
                    "self": unfinished[AppraisalStatus.SELF],
                    "superior": unfinished[AppraisalStatus.SUPERIOR],
                    "interview": unfinished[AppraisalStatus.INTERVIEW],
                },
                code=PerformanceErrorCode.INCOMPLETE,
                status=409,
                extra={"unfinished": {str(k): v for k, v in unfinished.items()}},
            )
        now = timezone.now()
        locked = (
            Appraisal.objects.filter(cycle=cycle)
            .exclude(status=AppraisalStatus.LOCKED)
            .update(status=AppraisalStatus.LOCKED, locked_at=now, updated_at=now)
        )
        cycle.status = CycleStatus.LOCKED
        cycle.locked_at = now
        cycle.locked_by = _actor_user(actor)
        cycle.save(update_fields=["status", "locked_at", "locked_by"])
        audit_record(
            actor=actor,
            action="appraisal_cycle.lock",
            obj=cycle,
            changes={
                "status": [CycleStatus.OPEN, CycleStatus.LOCKED],
                "appraisals_locked": locked,
                "completed": counts.get(AppraisalStatus.COMPLETED, 0),
                "forced": bool(force and total_unfinished),
                "unfinished": {str(k): v for k, v in unfinished.items()},
            },
        )
    return cycle
