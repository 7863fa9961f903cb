"""A leaver's customer work handed over to a colleague (COC-8), through the core's exit checklist.

The checklist's item "customer data handed over" (callcenter.services.leavers) calls this
through the provider registered in ``complaints/apps.py``: the leaver's open complaints get a new
owner (an active member of the complaint team, CMP-2) and the call-backs of the plans they are
responsible for get a new plan version naming the colleague (plans are versioned, never edited).
Each complaint gets a timeline entry and an audit event; the colleague is notified once.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import Role, has_role
from callcenter.selectors import leaver_hand_over_allowed
from callcenter.services import notification_send
from complaints.errors import ComplaintErrorCode
from complaints.models import ComplaintEvent, EventKind, ResolutionPlan
from complaints.selectors import complaints_owned_open, complaints_with_call_backs
from datasecurity.services import audit_record

__all__ = ["complaint_hand_over"]


@privileged_service("complaints.complaint_hand_over", label=gettext_lazy("hand over a leaver's complaints"))
@transaction.atomic
def complaint_hand_over(*, actor, employee_id: int, to_employee_id: int) -> int:
    """Give the leaver ``employee_id``'s open complaints and call-backs to ``to_employee_id``
    (COC-8). Only who ticks the leaver's hand-over item may (their team's supervisor, HR of their
    remit); nobody hands over their own work nor takes over a complaint that concerns them (SEC-2).
    Returns how many complaints changed."""
    leaver = Employee.objects.select_related("team").filter(pk=employee_id).first()
    if leaver is None:
        raise NotFoundError(_("Employee not found."))
    refuse_own_record(actor=actor, employee_id=leaver.pk, action="complaints.complaint_hand_over")
    if not leaver_hand_over_allowed(user=actor, employee=leaver):
        raise NotFoundError(_("Employee not found."))
    owned = list(complaints_owned_open(employee_id=leaver.pk).select_for_update(of=("self",)))
    call_backs = list(complaints_with_call_backs(employee_id=leaver.pk).select_for_update(of=("self",)))
    concerned = {
        pk for complaint in [*owned, *call_backs] for pk in complaint.concerned_employees.values_list("pk", flat=True)
    }
    refuse_own_record(
        actor=actor, employee_ids=[leaver.pk, *sorted(concerned)], action="complaints.complaint_hand_over"
    )
    colleague = (
        Employee.objects.select_related("user")
        .filter(pk=to_employee_id, status=EmploymentStatus.ACTIVE, user__is_active=True)
        .exclude(pk=leaver.pk)
        .first()
        if to_employee_id
        else None
    )
    if colleague is None:
        raise ApplicationError(
            _("Choose an active colleague to take the complaints over (COC-8)."),
            code=ComplaintErrorCode.RESPONSIBLE_INVALID,
            field="colleague",
        )
    if owned and not has_role(colleague.user, Role.COMPLAINT_HANDLER):
        raise ApplicationError(
            _("%(name)s owns open complaints: a member of the complaint team takes them over (CMP-2, COC-8).")
            % {"name": leaver.name},
            code=ComplaintErrorCode.OWNER_INVALID,
            field="colleague",
        )
    if colleague.pk in concerned:
        raise ApplicationError(
            _("%(name)s is an agent one of these complaints is about; choose another colleague (SEC-2).")
            % {"name": colleague.name},
            code=ComplaintErrorCode.OWNER_CONCERNED,
            field="colleague",
        )
    for complaint in owned:
        complaint.owner = colleague
        complaint.save(update_fields=["owner"])
        data = {"owner": colleague.pk, "owner_name": colleague.name, "hand_over_from": leaver.pk}
        ComplaintEvent.objects.create(complaint=complaint, kind=EventKind.ASSIGNED, by=actor, data=data)
        audit_record(
            actor=actor,
            action="complaint.hand_over",
            obj=complaint,
            changes={"owner": [leaver.pk, colleague.pk], "article": "COC-8"},
        )
    for complaint in call_backs:
        plan = complaint.plans.order_by("-version").first()
        version = plan.version + 1
        ResolutionPlan.objects.create(
            complaint=complaint,
            version=version,
            description=plan.description,
            responsible=colleague,
            deadline=plan.deadline,
            created_by=actor,
        )
        data = {"version": version, "responsible": colleague.pk, "hand_over_from": leaver.pk}
        ComplaintEvent.objects.create(
            complaint=complaint, kind=EventKind.PLAN, by=actor, text=plan.description, data=data
        )
        audit_record(
            actor=actor,
            action="complaint.plan_hand_over",
            obj=complaint,
            changes={"responsible": [leaver.pk, colleague.pk], "version": version, "article": "COC-8"},
        )
    moved = len({c.pk for c in owned} | {c.pk for c in call_backs})
    if moved:
        notification_send(
            recipients=[colleague.user],
            kind="complaint.hand_over",
            title=gettext_lazy("%(count)s complaints handed over to you"),
            body=gettext_lazy("%(name)s is leaving: their open complaints and call-backs are yours now (COC-8)."),
            params={"count": moved, "name": leaver.name},
            url=reverse("complaints:queue"),
        )
    return moved
