"""Complaint periodic jobs (thin): each calls one service."""

from callcenter.jobs import periodic_job
from complaints.services import complaint_escalate_overdue


@periodic_job("complaint-sla-escalation")
def complaint_sla_escalation():
    """Every 5 minutes: raise overdue open complaints to their escalation level (CMP-1, CMP-2).
    Idempotent: a complaint is escalated once per level, so a rerun (late ack) changes nothing."""
    result = complaint_escalate_overdue()
    return f"{result['checked']} overdue checked, {result['level_1']} to level 1, {result['level_2']} to level 2"
