"""A leaver's customer work in complaints (COC-8): what the exit checklist lists to hand over.

Read for the core's exit checklist through the provider registered in ``complaints/apps.py``;
the checklist has already decided that the reader may see the leaver (their supervisor, HR).
Only references and what each item is are returned, never the customer's contact details.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import Role
from complaints.models import Complaint, ComplaintStatus, ResolutionPlan

__all__ = [
    "complaint_hand_over_colleagues",
    "complaint_hand_over_items",
    "complaints_owned_open",
    "complaints_with_call_backs",
]

# A plan's call-back is still to be made while the complaint is being worked on (CMP-2); once
# resolved, the follow-up visit is the complaint team's (CMP-3).
CALL_BACK_STATUSES = (ComplaintStatus.NEW, ComplaintStatus.INVESTIGATING)


def complaints_owned_open(*, employee_id: int) -> QuerySet[Complaint]:
    """Complaints not closed whose owner is the employee."""
    return Complaint.objects.filter(owner_id=employee_id).exclude(status=ComplaintStatus.CLOSED).order_by("pk")


def complaints_with_call_backs(*, employee_id: int) -> QuerySet[Complaint]:
    """Complaints being worked on whose latest resolution plan makes the employee responsible."""
    latest = ResolutionPlan.objects.filter(complaint=OuterRef("pk")).order_by("-version").values("responsible_id")[:1]
    return (
        Complaint.objects.filter(status__in=CALL_BACK_STATUSES)
        .annotate(plan_responsible=Subquery(latest))
        .filter(plan_responsible=employee_id)
        .order_by("pk")
    )


def complaint_hand_over_items(*, employee_id: int) -> list[dict]:
    """The leaver's open complaints and call-backs, one row each (two queries)."""
    items = [
        {"reference": c.reference, "what": "owner", "url_name": "complaints:detail", "pk": c.pk}
        for c in complaints_owned_open(employee_id=employee_id).only("pk", "reference")
    ]
    items += [
        {"reference": c.reference, "what": "call_back", "url_name": "complaints:detail", "pk": c.pk}
        for c in complaints_with_call_backs(employee_id=employee_id).only("pk", "reference")
    ]
    return items


def complaint_hand_over_colleagues(*, employee_id: int) -> QuerySet[Employee]:
    """Who may take the leaver's complaint work over: an active member of the complaint team
    (owners must be, CMP-2) or an active teammate of the leaver (for call-backs)."""
    leaver = Employee.objects.filter(pk=employee_id).only("pk", "team_id").first()
    team_q = Q(team_id=leaver.team_id) if leaver is not None and leaver.team_id else Q(pk__in=[])
    handlers = Q(user__groups__name=Role.COMPLAINT_HANDLER, user__is_active=True)
    return (
        Employee.objects.filter(status=EmploymentStatus.ACTIVE)
        .filter(team_q | handlers)
        .exclude(pk=employee_id)
        .distinct()
        .select_related("team")
        .order_by("employee_no")
    )
