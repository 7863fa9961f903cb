"""Reads of complaints (CMP-1..CMP-3). Visibility and contact masking live here.

Who sees which complaint:

==========================  ==========================================================
complaint team (handlers),  every complaint
company leaders, HR
department manager          complaints concerning their department's teams or agents
team supervisor             complaints concerning their team or its agents
HR assistant (limited HR)   complaints concerning the teams or agents of the
                            departments of their grants in force (not every complaint)
anyone                      complaints they recorded or that concern them
a case grant's grantee      that one complaint, read-only, while the grant is in force
==========================  ==========================================================

Case grants (``callcenter.models.AccessGrant`` of kind ``complaint``, carried out by the
django-guardian permission ``complaints.view_complaint`` on the case) add one complaint and
nothing else: the complaint team's actions need its roles, so a grantee reads, never acts.

Contact details (SEC-2) are masked for everyone in lists, search, ordering, filters and exports;
only the complaint team and company leaders may reveal them, one complaint at a time, and each
reveal is audited (:func:`complaints.services.complaint_contact_reveal`). There is no filter or
ordering on phone or e-mail, so neither can be used to guess a hidden number.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError
from callcenter.inputs import safe_date, safe_id
from callcenter.models import Department, Employee, Team
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_choices, employee_of, grants_in_force, hr_department_ids, is_company_hr
from complaints import rules
from complaints.errors import ComplaintErrorCode
from complaints.models import Channel, Complaint, ComplaintCategory, ComplaintEvent, ComplaintStatus, FollowUp, Urgency

__all__ = [
    "ALL_COMPLAINTS_ROLES",
    "CONTACT_REVEAL_ROLES",
    "ORDERINGS",
    "complaint_by_reference",
    "complaint_can_reveal_contact",
    "complaint_category_list",
    "complaint_cause_suggestions",
    "complaint_concerned_choices",
    "complaint_concerned_team_choices",
    "complaint_dashboard_counts",
    "complaint_get",
    "complaint_list",
    "complaint_masked_contact",
    "complaint_responsible_choices",
    "complaint_timeline",
]

ALL_COMPLAINTS_ROLES = (Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER, Role.HR)
CONTACT_REVEAL_ROLES = (Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER)
# Orderings a list may ask for (never by a contact field).
ORDERINGS = {
    "received": ("-received_at", "-pk"),
    "oldest": ("received_at", "pk"),
    "due": ("first_response_due", "pk"),
    "urgency": ("-urgency", "first_response_due", "pk"),
}


def complaint_category_list(*, active_only: bool = True) -> QuerySet[ComplaintCategory]:
    qs = ComplaintCategory.objects.all()
    return qs.filter(active=True) if active_only else qs


def _visible_q(user) -> Q | None:
    """Who sees which complaint (None: everything). Each way of seeing is its own ``pk IN
    (subquery)`` over an indexed column, ORed: never an OR across the concerned-agents join,
    which multiplies rows and served no index (a manager's queue read the whole table)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    # HR reads every complaint only as company HR (an HR assistant: their departments).
    all_roles = tuple(role for role in ALL_COMPLAINTS_ROLES if role != Role.HR)
    if user.is_superuser or has_role(user, *all_roles) or is_company_hr(user):
        return None
    q = Q(recorded_by=user)
    me = employee_of(user)
    concerned = Complaint.concerned_employees.through.objects
    teams: list[int] = []
    departments = sorted(hr_department_ids(user) or ())
    if me is not None:
        q |= Q(recorded_by_employee=me) | Q(pk__in=concerned.filter(employee=me).values("complaint_id"))
        teams = list(Team.objects.filter(supervisor=me).values_list("pk", flat=True))
        departments += list(Department.objects.filter(manager=me).values_list("pk", flat=True))
    if departments:
        teams += list(Team.objects.filter(department_id__in=departments).values_list("pk", flat=True))
    if teams:
        q |= Q(concerned_team_id__in=teams) | Q(
            pk__in=concerned.filter(employee__team_id__in=teams).values("complaint_id")
        )
    # One case granted for a period (an auditor's read access): that complaint, nothing else.
    if cases := grants_in_force(user).complaints:
        q |= Q(pk__in=sorted(cases))
    return q


def _clean_filters(filters: dict) -> dict:
    """Ids and dates as the right types, within :mod:`callcenter.inputs`' bounds; a malformed or
    out-of-range value is a clear 400, never a 500."""
    cleaned = dict(filters)
    for key, parse in (("owner", safe_id), ("team", safe_id), ("date_from", safe_date), ("date_to", safe_date)):
        value = cleaned.get(key)
        if value in (None, "") or (key == "owner" and value in ("me", "none")):
            continue
        cleaned[key] = parse(value)
        if cleaned[key] is None:
            raise ApplicationError(
                _("Invalid filter: %(name)s.") % {"name": key}, code=ComplaintErrorCode.FILTER_INVALID
            )
    return cleaned


def _overdue_q(now: datetime.datetime) -> Q:
    """Past its first-response or resolution deadline, the clock running (CMP-2)."""
    return Q(paused_since__isnull=True) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(resolved_at__isnull=True, resolution_due__lt=now)
    )


def complaint_list(*, user, filters: dict | None = None) -> QuerySet[Complaint]:
    """Complaints ``user`` may see. Filters: ``status`` (or ``open``), ``urgency``, ``channel``,
    ``category`` (code), ``owner`` (employee id, or ``me``), ``overdue``, ``team``,
    ``date_from``/``date_to`` (received), ``q`` (reference or customer name), ``ordering``."""
    filters = _clean_filters(filters or {})
    qs = Complaint.objects.select_related("category", "owner", "concerned_team")
    q = _visible_q(user)
    if q is not None:
        qs = qs.filter(q)  # no join in q: no duplicate rows to remove
    status = filters.get("status")
    if status == "open":
        qs = qs.exclude(status=ComplaintStatus.CLOSED)
    elif status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    if (urgency := filters.get("urgency")) in Urgency.values:
        qs = qs.filter(urgency=urgency)
    if (channel := filters.get("channel")) in Channel.values:
        qs = qs.filter(channel=channel)
    if category := filters.get("category"):
        qs = qs.filter(category__code=category)
    if owner := filters.get("owner"):
        if owner == "me":
            me = employee_of(user)
            qs = qs.filter(owner=me) if me else qs.none()
        elif owner == "none":  # not assigned yet (CMP-1: someone must take it)
            qs = qs.filter(owner__isnull=True)
        else:
            qs = qs.filter(owner_id=owner)
    if team := filters.get("team"):
        qs = qs.filter(concerned_team_id=team)
    if filters.get("overdue"):
        qs = qs.exclude(status=ComplaintStatus.CLOSED).filter(_overdue_q(timezone.now()))
    # Plain ranges on received_at (local day boundaries), so the index serves them.
    if date_from := filters.get("date_from"):
        qs = qs.filter(received_at__gte=rules.day_start(date_from))
    if date_to := filters.get("date_to"):
        qs = qs.filter(received_at__lt=rules.day_start(date_to + datetime.timedelta(days=1)))
    if text := (filters.get("q") or "").strip():
        # Reference or customer name only: never a contact field (SEC-2).
        qs = qs.filter(Q(reference__iexact=text) | Q(customer_name__icontains=text))
    ordering = ORDERINGS.get(filters.get("ordering") or "received", ORDERINGS["received"])
    return qs.order_by(*ordering)


def complaint_get(*, user, complaint_id) -> Complaint:
    """One complaint with everything its page shows, or NotFoundError when it does not exist *or*
    ``user`` may not see it (no leak that it exists)."""
    complaint = (
        complaint_list(user=user)
        .select_related("recorded_by", "recorded_by_employee", "closed_by")
        .prefetch_related("concerned_employees", "plans__responsible", "follow_ups", "events__by", "attachments")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise NotFoundError(_("Complaint not found."))
    return complaint


def complaint_timeline(*, complaint: Complaint) -> tuple[list[ComplaintEvent], list[FollowUp]]:
    """The timeline entries and follow-up visits of a complaint read by :func:`complaint_get`,
    each with ``by_name``: the name of the employee who acted (their login without an employee
    record, "System" for the SLA job). One query for every name, not one per entry."""
    events = list(complaint.events.all())
    follow_ups = list(complaint.follow_ups.all())
    user_ids = {e.by_id for e in events if e.by_id} | {f.by_id for f in follow_ups}
    names = dict(Employee.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    for item in events + follow_ups:
        item.by_name = names.get(item.by_id) or (item.by.get_username() if item.by_id else _("System"))
    return events, follow_ups


def complaint_by_reference(value) -> Complaint | None:
    """The complaint with this reference (an access grant names a case by it), or None. Not a
    read of the case: the grant page shows only the reference."""
    value = str(value or "").strip()
    return Complaint.objects.filter(reference__iexact=value).first() if value else None


def complaint_concerned_team_choices() -> QuerySet[Team]:
    """The teams a complaint may be recorded against: every team, whoever records it (a customer
    complains about any team; naming one discloses nothing, CMP-1). Light rows, ordered by code.
    Who may *read* a complaint is :func:`complaint_list`'s business, not this picker's."""
    return Team.objects.only("pk", "code", "name").order_by("code")


# Pickers of people sort by the pinyin initials of the name (张伟 → "zw"), then the name and the
# number: a list of hundreds reads like the directory and the search box finds either spelling.
PEOPLE_ORDER = ("name_initials", "name", "employee_no")
# How many causes already given the resolve form suggests (CMP-4: the same words, one bucket).
CAUSE_SUGGESTIONS = 30


def complaint_concerned_choices(*, user, active_only: bool = True) -> QuerySet[Employee]:
    """The agents a complaint may name as concerned (CMP-1), sorted by name: the complaint team,
    leaders and HR pick among everyone (a customer complains about any agent); anyone else among
    their remit, so recording cannot look names up. Separate from the owner (the complaint team)."""
    return employee_choices(user=user, company_wide_roles=ALL_COMPLAINTS_ROLES, active_only=active_only).order_by(
        *PEOPLE_ORDER
    )


def complaint_responsible_choices(*, user) -> QuerySet[Employee]:
    """Who may be responsible for a resolution plan (CMP-2): the active employees of the user's
    remit (everyone for the complaint team), sorted by name."""
    return employee_choices(user=user, company_wide_roles=ALL_COMPLAINTS_ROLES).order_by(*PEOPLE_ORDER)


def complaint_cause_suggestions() -> list[str]:
    """The causes given most often (CMP-4), for the resolve form's suggestions: one query."""
    rows = (
        Complaint.objects.exclude(cause="")
        .values("cause")
        .annotate(n=Count("pk"))
        .order_by("-n", "cause")[:CAUSE_SUGGESTIONS]
    )
    return [row["cause"] for row in rows]


def complaint_can_reveal_contact(*, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and has_role(user, *CONTACT_REVEAL_ROLES)


def complaint_masked_contact(complaint: Complaint) -> dict:
    """What every list, page and export shows (SEC-2)."""
    return {"phone": rules.mask_phone(complaint.phone), "email": rules.mask_email(complaint.email)}


def complaint_dashboard_counts(*, user, me: Employee | None) -> dict:
    """The complaint team's dashboard figures (CMP-1, CMP-2): open complaints the reader sees,
    how many are urgent, overdue, not yet assigned, and the reader's own. One aggregate query
    (:func:`complaint_list`'s visibility)."""
    mine = Q(owner_id=me.pk) if me is not None else Q(pk__in=[])
    return (
        complaint_list(user=user, filters={"status": "open"})
        .order_by()
        .aggregate(
            open=Count("pk"),
            urgent=Count("pk", filter=Q(urgency=Urgency.URGENT)),
            overdue=Count("pk", filter=_overdue_q(timezone.now())),
            unassigned=Count("pk", filter=Q(owner__isnull=True)),
            mine=Count("pk", filter=mine),
        )
    )
