"""Reads of mandatory courses and compliance (TRN-1, TRN-3; SEC-3's yearly awareness course).

Compliance is computed, not stored: the active mandatory courses (four queries with their
audiences), the employees asked about (one query) and their passes of those courses (one query);
``training.rules.compliance`` decides each obligation. So every reader below runs a constant
number of queries whatever the number of employees, courses or records; the HR report computes only
the teams of its page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Employee, EmploymentStatus, Team
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_visibility_q, policy_in_force
from training import rules
from training.models import MandatoryCourse, RecordResult, TrainingPolicy, TrainingRecord

__all__ = [
    "COMPLIANCE_REPORT_ROLES",
    "ComplianceRow",
    "MandatoryRule",
    "TeamCompliance",
    "TrainingIndicatorInputs",
    "compliance_mine",
    "compliance_obligations",
    "compliance_people",
    "compliance_team_rows",
    "compliance_teams",
    "mandatory_course_get",
    "mandatory_course_list",
    "mandatory_rules",
    "training_dashboard_compliance",
    "training_indicator_inputs",
]

COMPLIANCE_REPORT_ROLES = (Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER, Role.SUPERVISOR)
_EMPLOYEE_FIELDS = (
    "pk",
    "name",
    "employee_no",
    "team_id",
    "position_id",
    "hire_date",
    "user_id",
    "team__name",
    "team__supervisor_id",
    "team__supervisor__user_id",
)


@dataclass(frozen=True)
class MandatoryRule:
    pk: int
    course_id: int
    course_code: str
    course_title: str
    kind: str
    days_after_hire: int | None
    yearly_month: int | None
    yearly_day: int | None
    fixed_date: datetime.date | None
    applies_from: datetime.date
    audience_kind: str
    positions: frozenset[int]
    teams: frozenset[int]
    people: frozenset[int]


@dataclass
class ComplianceRow:
    """One employee's obligation under one mandatory course, decided for ``today``."""

    employee: dict  # the _EMPLOYEE_FIELDS of the employee
    rule: MandatoryRule
    deadline: datetime.date
    passed_on: datetime.date | None
    state: str

    @property
    def missed(self) -> bool:
        """Not passed by the deadline (late or still missing, TRN-3)."""
        return self.passed_on is None or self.passed_on > self.deadline


@dataclass
class TeamCompliance:
    team: Team
    done: int = 0
    due: int = 0
    overdue: int = 0
    people: int = 0

    @property
    def percent(self) -> int | None:
        return rules.compliance_percent(done=self.done, due=self.due, overdue=self.overdue)


@dataclass
class TrainingIndicatorInputs:
    """What the appraisal's training indicator reads of one employee's month (TRN-3)."""

    scores: list[Decimal] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # course codes missed by a deadline in the month
    deduction: Decimal = Decimal("0")


def mandatory_rules(*, active_only: bool = True) -> list[MandatoryRule]:
    """The mandatory courses as plain rules (four queries: the rows and their three audiences)."""
    qs = MandatoryCourse.objects.select_related("course").prefetch_related(
        "audience_positions", "audience_teams", "audience_people"
    )
    if active_only:
        qs = qs.filter(active=True, course__active=True)
    return [
        MandatoryRule(
            pk=m.pk,
            course_id=m.course_id,
            course_code=m.course.code,
            course_title=m.course.title,
            kind=m.deadline_kind,
            days_after_hire=m.days_after_hire,
            yearly_month=m.yearly_month,
            yearly_day=m.yearly_day,
            fixed_date=m.fixed_date,
            applies_from=m.applies_from,
            audience_kind=m.audience_kind,
            positions=frozenset(p.pk for p in m.audience_positions.all()),
            teams=frozenset(t.pk for t in m.audience_teams.all()),
            people=frozenset(e.pk for e in m.audience_people.all()),
        )
        for m in qs
    ]


def compliance_obligations(
    *,
    employees: QuerySet[Employee],
    today: datetime.date | None = None,
    mandatory: list[MandatoryRule] | None = None,
    policy: TrainingPolicy | None = None,
    active_only: bool = True,
) -> list[ComplianceRow]:
    """Every obligation of the active ``employees`` under the active mandatory courses on
    ``today`` (TRN-1, TRN-3): two queries (the employees, their passes), plus the rules' four and
    the policy's one when not given. ``active_only=False``: the caller chose who counts (the
    appraisal's month: who was employed at its end)."""
    today = today or timezone.localdate()
    mandatory = mandatory_rules() if mandatory is None else mandatory
    if not mandatory:
        return []
    policy = policy or policy_in_force(TrainingPolicy, today)
    employees = employees.filter(hire_date__lte=today)
    if active_only:
        employees = employees.filter(status=EmploymentStatus.ACTIVE)
    people = list(employees.order_by("employee_no").values(*_EMPLOYEE_FIELDS))
    if not people:
        return []
    course_ids = {m.course_id for m in mandatory}
    passes: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for employee_id, course_id, day in TrainingRecord.objects.filter(
        employee_id__in=employees.values("pk"), course_id__in=course_ids, result=RecordResult.PASSED
    ).values_list("employee_id", "course_id", "completed_on"):
        passes[employee_id, course_id].append(day)
    rows = []
    for person in people:
        for m in mandatory:
            if not rules.in_audience(
                kind=m.audience_kind,
                employee_id=person["pk"],
                position_id=person["position_id"],
                team_id=person["team_id"],
                hire_date=person["hire_date"],
                applies_from=m.applies_from,
                positions=m.positions,
                teams=m.teams,
                people=m.people,
            ):
                continue
            obligation = rules.mandatory_deadline(
                kind=m.kind,
                hire_date=person["hire_date"],
                today=today,
                new_hire_days=policy.new_hire_days,
                days_after_hire=m.days_after_hire,
                yearly_month=m.yearly_month,
                yearly_day=m.yearly_day,
                fixed_date=m.fixed_date,
            )
            passed_on = rules.passed_in_window(obligation, passes.get((person["pk"], m.course_id), ()))
            state = rules.compliance_state(deadline=obligation.deadline, passed_on=passed_on, today=today)
            rows.append(ComplianceRow(person, m, obligation.deadline, passed_on, state))
    return rows


def _visible_employees(user) -> QuerySet[Employee]:
    q = employee_visibility_q(user)
    qs = Employee.objects.all()
    return qs if q is None else qs.filter(q)


def compliance_teams(*, user, filters: dict | None = None) -> QuerySet[Team]:
    """The teams of the compliance report (TRN-3): those with an active member the reader sees."""
    filters = filters or {}
    visible = _visible_employees(user).filter(status=EmploymentStatus.ACTIVE)
    qs = Team.objects.filter(pk__in=visible.values("team_id")).select_related("department")
    if team := filters.get("team"):
        qs = qs.filter(pk=team)
    return qs.order_by("department__code", "code")


def compliance_team_rows(
    *, user, teams: list[Team], today: datetime.date | None = None, mandatory: list[MandatoryRule] | None = None
) -> list[TeamCompliance]:
    """Done / due / overdue counts and % compliant per team of ``teams`` (a page of
    :func:`compliance_teams`), over the members the reader sees: a constant number of queries."""
    by_team = {t.pk: TeamCompliance(team=t) for t in teams}
    if not by_team:
        return []
    employees = _visible_employees(user).filter(team_id__in=list(by_team))
    seen: dict[int, set[int]] = defaultdict(set)
    for row in compliance_obligations(employees=employees, today=today, mandatory=mandatory):
        entry = by_team[row.employee["team_id"]]
        setattr(entry, row.state, getattr(entry, row.state) + 1)
        seen[entry.team.pk].add(row.employee["pk"])
    for team_id, people in seen.items():
        by_team[team_id].people = len(people)
    return list(by_team.values())


def compliance_people(*, user, filters: dict | None = None, today: datetime.date | None = None) -> list[ComplianceRow]:
    """Who is due or overdue (TRN-3): the obligations of the employees the reader sees, of one team
    (``team``) and one state (``state``: due / overdue / done; default: due and overdue), overdue
    first, then by deadline."""
    filters = filters or {}
    employees = _visible_employees(user)
    if team := filters.get("team"):
        employees = employees.filter(team_id=team)
    states = {filters["state"]} if filters.get("state") in {"done", "due", "overdue"} else {"due", "overdue"}
    rows = [r for r in compliance_obligations(employees=employees, today=today) if r.state in states]
    rows.sort(key=lambda r: (r.state != "overdue", r.deadline, r.employee["employee_no"]))
    return rows


def compliance_mine(*, employee: Employee, today: datetime.date | None = None) -> list[ComplianceRow]:
    """The reader's own mandatory courses with their deadlines (TRN-3), not yet done first."""
    rows = compliance_obligations(employees=Employee.objects.filter(pk=employee.pk), today=today)
    rows.sort(key=lambda r: (r.state == "done", r.deadline))
    return rows


def training_dashboard_compliance(*, user, me: Employee) -> dict | None:
    """The supervisor's dashboard card (TRN-3): their teams' done / due / overdue counts and %
    compliant, linking to who is due or overdue. None when they supervise no team or nobody has an
    obligation."""
    teams = list(Team.objects.filter(supervisor=me).order_by("code"))
    if not teams:
        return None
    rows = [r for r in compliance_team_rows(user=user, teams=teams) if r.done + r.due + r.overdue]
    if not rows:
        return None
    done, due, overdue = (sum(getattr(r, name) for r in rows) for name in ("done", "due", "overdue"))
    return {
        "rows": rows,
        "done": done,
        "due": due,
        "overdue": overdue,
        "percent": rules.compliance_percent(done=done, due=due, overdue=overdue),
    }


def mandatory_course_list(*, user) -> QuerySet[MandatoryCourse]:
    """HR's list of mandatory courses (TRN-1), with their audiences prefetched."""
    if not has_role(user, Role.HR):
        return MandatoryCourse.objects.none()
    return MandatoryCourse.objects.select_related("course").prefetch_related(
        "audience_positions", "audience_teams", "audience_people"
    )


def mandatory_course_get(*, user, pk) -> MandatoryCourse:
    mandatory = mandatory_course_list(user=user).filter(pk=pk).first()
    if mandatory is None:
        raise NotFoundError(_("Mandatory course not found."))
    return mandatory


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return following - datetime.timedelta(days=1)


def training_indicator_inputs(*, employee_ids: list[int], month: datetime.date) -> dict[int, TrainingIndicatorInputs]:
    """What the appraisal's automatic "training" indicator reads (TRN-3), per employee: the scores
    of the records completed in ``month`` with a score (sessions' assessments and online attempts),
    and the mandatory courses whose deadline fell in the month and that were not passed by it.
    A constant number of queries for any number of employees."""
    first = month.replace(day=1)
    last = _month_end(first)
    policy = policy_in_force(TrainingPolicy, last)
    result = {pk: TrainingIndicatorInputs(deduction=policy.missed_mandatory_deduction) for pk in employee_ids}
    if not employee_ids:
        return result
    for employee_id, score in (
        TrainingRecord.objects.filter(
            employee_id__in=employee_ids, completed_on__gte=first, completed_on__lte=last, score__isnull=False
        )
        .exclude(result=RecordResult.ABSENT)
        .order_by("completed_on", "pk")
        .values_list("employee_id", "score")
    ):
        result[employee_id].scores.append(score)
    # Obligations as they stood at the month's end: who was employed then (left afterwards too).
    employees = Employee.objects.filter(pk__in=employee_ids).filter(
        Q(status=EmploymentStatus.ACTIVE) | Q(left_on__gt=last)
    )
    rows = compliance_obligations(employees=employees, today=last, policy=policy, active_only=False)
    for row in rows:
        if first <= row.deadline <= last and row.missed:
            result[row.employee["pk"]].missed.append(row.rule.course_code)
    return result
