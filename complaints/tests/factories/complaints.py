"""Complaints for the tests, recorded and worked through the services (so every one has its
timeline, its audit events and its SLA clock as in real use)."""

import datetime

from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ResolutionPlan

__all__ = ["EMAIL", "PHONE", "complaint_planned", "complaint_recorded", "complaint_resolved"]

PHONE = "13812345678"
EMAIL = "wang.customer@example.com"


def complaint_recorded(org, *, by=None, team=None, **kw) -> Complaint:
    """A complaint recorded by ``by`` (an employee of the ``org`` fixture, default the agent) about
    ``team`` (a Team, none by default): a customer with a phone number (stored as :data:`PHONE`),
    taken on the phone."""
    kw.setdefault("customer_name", "王先生")
    kw.setdefault("phone", "138 1234 5678")  # stored normalised: PHONE
    kw.setdefault("matter", "坐席态度不好，问题没有解决")
    kw.setdefault("channel", "phone")
    # CMP-4: a cause known at intake (resolving needs one); pass cause="" for a complaint without.
    kw.setdefault("cause", "坐席业务不熟")
    if team is not None:
        kw["concerned_team_id"] = team.pk
    return services.complaint_record(actor=(by or org.agent).user, **kw)


def complaint_planned(org, complaint, *, responsible=None) -> ResolutionPlan:
    """The complaint team's resolution plan for ``complaint``, due tomorrow (CMP-2)."""
    return services.complaint_plan(
        actor=org.handler.user,
        complaint_id=complaint.pk,
        description="回访客户并重新办理业务",
        responsible_id=(responsible or org.handler).pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )


def complaint_resolved(org, complaint) -> Complaint:
    """``complaint`` planned and resolved by the complaint team, awaiting the follow-up visit."""
    complaint_planned(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="已重新办理")
    return complaint
