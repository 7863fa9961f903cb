"""Reads of training records (TRN-3): every employee's record of completed (or failed) training.

Visibility is the org's (``callcenter.selectors.filter_by_employee``): an agent sees their own
records, a supervisor their teams', a department manager their department's, HR and the company
leader everyone's; a trainer also sees the records of the sessions they gave. A certificate is for
the owner, their reporting line and HR only (not the trainer).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Employee
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_get, employee_visibility_q, filter_by_employee
from training.models import Enrolment, EnrolmentStatus, RecordResult, TrainingRecord

__all__ = [
    "RECORD_TEAM_ROLES",
    "training_certificate_get",
    "training_record_get",
    "training_record_list",
    "training_record_subject",
    "training_summary_mine",
]

# Who reads other people's records (their remit): the rest see their own only.
RECORD_TEAM_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR, Role.TRAINER)
_UPCOMING = 10


def _base() -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.select_related("employee", "employee__team", "course")


def _visible(user) -> QuerySet[TrainingRecord]:
    """The records ``user`` may read: the org's visibility, and for a trainer the records of the
    sessions they gave."""
    q = employee_visibility_q(user, prefix="employee")
    if q is None:
        return _base()
    if has_role(user, Role.TRAINER):
        q |= Q(session__trainer=user)
    return _base().filter(q)


def training_record_list(*, user, filters: dict | None = None) -> QuerySet[TrainingRecord]:
    """Records ``user`` may read, filtered by ``year``, ``topic``, ``result``, ``team``,
    ``employee`` (an id) and ``q`` (an employee's name or number), newest first."""
    filters = filters or {}
    qs = _visible(user)
    if year := filters.get("year"):
        qs = qs.filter(completed_on__gte=datetime.date(year, 1, 1), completed_on__lte=datetime.date(year, 12, 31))
    if topic := filters.get("topic"):
        qs = qs.filter(course__topic_area=topic)
    if result := filters.get("result"):
        qs = qs.filter(result=result)
    if team := filters.get("team"):
        qs = qs.filter(employee__team_id=team)
    if employee := filters.get("employee"):
        qs = qs.filter(employee_id=employee)
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(Q(employee__name__icontains=text) | Q(employee__employee_no__icontains=text))
    return qs.order_by("-completed_on", "-pk")


def training_record_get(*, user, pk) -> TrainingRecord:
    """One record, or NotFoundError when it does not exist *or* is not visible (no leak)."""
    record = _visible(user).filter(pk=pk).first()
    if record is None:
        raise NotFoundError(_("Training record not found."))
    return record


def training_certificate_get(*, user, pk) -> TrainingRecord:
    """A passed record whose certificate ``user`` may download (TRN-3): the owner, their
    supervisor chain (team, department, leader in charge) and HR. NotFoundError otherwise."""
    record = filter_by_employee(_base(), user).filter(pk=pk, result=RecordResult.PASSED).first()
    if record is None or not record.certificate_no:
        raise NotFoundError(_("Certificate not found."))
    return record


def training_record_subject(*, user, employee_id: int) -> Employee:
    """The employee whose record page ``user`` opens (their remit's visibility; NotFoundError
    otherwise)."""
    return employee_get(user=user, pk=employee_id)


def training_summary_mine(*, employee: Employee, today: datetime.date | None = None) -> dict:
    """The "My training" figures (TRN-3): hours and courses passed this year, and the upcoming
    enrolments (TRN-2). Two queries."""
    today = today or timezone.localdate()
    year = datetime.date(today.year, 1, 1)
    totals = TrainingRecord.objects.filter(
        employee=employee, completed_on__gte=year, completed_on__lte=today.replace(month=12, day=31)
    ).aggregate(
        hours=Sum("hours", filter=~Q(result=RecordResult.ABSENT)),
        passed=Count("pk", filter=Q(result=RecordResult.PASSED)),
    )
    upcoming = list(
        Enrolment.objects.filter(
            employee=employee, status=EnrolmentStatus.ENROLLED, session__starts_at__gte=timezone.now()
        )
        .exclude(session__status="cancelled")
        .select_related("session", "session__course")
        .order_by("session__starts_at")[:_UPCOMING]
    )
    return {"hours": totals["hours"] or Decimal("0"), "passed": totals["passed"], "upcoming": upcoming}
