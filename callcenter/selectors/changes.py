"""Reads of transfers and changes (issue 13, GEN-2): the employment timeline of one employee as a
page, with the org names resolved and pay hidden from all but HR and the employee; the post an
employee held on a day (the appraisal template of a month, PRF-1); the teams HR may move someone
to, with the supervisor each brings."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from callcenter.models import (
    Department,
    Employee,
    EmploymentEvent,
    EmploymentEventKind,
    EmploymentEventStatus,
    EmploymentStatus,
    Position,
    Team,
)
from callcenter.roles import Role, has_role
from callcenter.selectors.org import employee_get, employee_of, hr_department_ids
from callcenter.selectors.people import employment_history

__all__ = [
    "PAY_FIELDS",
    "EventChange",
    "EventRow",
    "employee_pay_visible",
    "employee_positions_on",
    "employment_events_describe",
    "employment_timeline",
    "transfer_department_choices",
    "transfer_team_choices",
]

PAY_FIELDS = ("monthly_base_pay", "bonus_base")
_ORG_FIELDS = {"department": Department, "team": Team, "position": Position}
_STATUS_LABELS = dict(EmploymentStatus.choices)


def _is_hr_for(user, employee: Employee) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if not has_role(user, Role.HR):
        return False
    remit = hr_department_ids(user)
    return remit is None or employee.department_id in remit


def employee_pay_visible(*, user, employee: Employee) -> bool:
    """Pay (ATT-5 base pay, PRF-4 bonus base) and its history: HR (within their remit) and the
    employee themself only; never a supervisor, manager or leader."""
    me = employee_of(user)
    return (me is not None and me.pk == employee.pk) or _is_hr_for(user, employee)


def employment_timeline(*, user, employee_id: int) -> tuple[Employee, QuerySet[EmploymentEvent], bool]:
    """The employee (NotFoundError when not visible: no leak), their events newest first (pay
    events only for HR and the employee), and whether pay is shown."""
    employee = employee_get(user=user, pk=employee_id)
    events = employment_history(user=user, employee_id=employee.pk)
    pay_visible = employee_pay_visible(user=user, employee=employee)
    if not pay_visible:
        events = events.exclude(kind=EmploymentEventKind.PAY)
    return employee, events, pay_visible


FIELD_LABELS = {
    "department": _("Department"),
    "team": _("Team"),
    "position": _("Position"),
    "monthly_base_pay": _("Monthly base pay"),
    "bonus_base": _("Performance bonus base"),
    "employee_no": _("Employee number"),
    "name": _("Name"),
    "hire_date": _("Hire date"),
    "first_employed_on": _("First employed"),
    "status": _("Status"),
    "left_on": _("Left on"),
}


@dataclass
class EventChange:
    field: str
    before: object
    after: object

    @property
    def label(self):
        return FIELD_LABELS.get(self.field, self.field)


@dataclass
class EventRow:
    event: EmploymentEvent
    changes: list[EventChange] = field(default_factory=list)

    @property
    def scheduled(self) -> bool:
        return self.event.status == EmploymentEventStatus.SCHEDULED

    @property
    def cancellable(self) -> bool:
        """A scheduled change; a scheduled leaving is cancelled on its exit checklist (GEN-2)."""
        return self.scheduled and self.event.kind != EmploymentEventKind.LEAVE


def employment_events_describe(events, *, pay_visible: bool) -> list[EventRow]:
    """One page of events with the org ids named (one query per kind of record on the page) and
    the pay amounts left out unless ``pay_visible`` (a change of several fields keeps the others)."""
    events = list(events)
    ids: dict[str, set[int]] = {name: set() for name in _ORG_FIELDS}
    for event in events:
        for name, values in (event.changes or {}).items():
            if name in _ORG_FIELDS:
                ids[name].update(v for v in values if isinstance(v, int))
    names = {
        name: {obj.pk: obj.name for obj in model.objects.filter(pk__in=ids[name]).only("pk", "name")}
        for name, model in _ORG_FIELDS.items()
        if ids[name]
    }
    rows = []
    for event in events:
        row = EventRow(event=event)
        for name, values in (event.changes or {}).items():
            if name in PAY_FIELDS and not pay_visible:
                continue
            before, after = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            if name in names:
                before, after = names[name].get(before, before), names[name].get(after, after)
            elif name == "status":  # the employment status's label, not its stored value ("left")
                before, after = _STATUS_LABELS.get(before, before), _STATUS_LABELS.get(after, after)
            row.changes.append(EventChange(field=name, before=before, after=after))
        rows.append(row)
    return rows


def employee_positions_on(*, day: datetime.date, employee_ids=None) -> dict[int, int]:
    """{employee id: position id} held on ``day`` by the employees whose post changed after it
    (an applied transfer effective later than ``day``: the post before the first such one).
    Everyone else holds their current post. One query."""
    qs = EmploymentEvent.objects.filter(
        status=EmploymentEventStatus.APPLIED, effective_on__gt=day, changes__has_key="position"
    )
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    held: dict[int, int] = {}
    for employee_id, changes in qs.order_by("employee_id", "effective_on", "pk").values_list("employee_id", "changes"):
        before = (changes.get("position") or [None])[0]
        if employee_id not in held and isinstance(before, int):
            held[employee_id] = before
    return held


def transfer_team_choices(*, user) -> QuerySet[Team]:
    """The teams HR may move someone to (an HR assistant: of their departments), each with its
    department and supervisor (the supervisor a transfer brings)."""
    qs = Team.objects.select_related("department", "supervisor").order_by("department__code", "code")
    remit = hr_department_ids(user)
    return qs if remit is None else qs.filter(department_id__in=sorted(remit))


def transfer_department_choices(*, user) -> QuerySet[Department]:
    """The departments HR may move someone to (an HR assistant: theirs)."""
    qs = Department.objects.only("pk", "code", "name").order_by("code")
    remit = hr_department_ids(user)
    return qs if remit is None else qs.filter(pk__in=sorted(remit))
