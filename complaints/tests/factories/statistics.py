"""Complaints written straight to the table for the statistics tests (CMP-4), so every time is
exact (the services stamp "now"), and the hand-made set the statistics are checked against."""

import datetime

from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintCategory, ComplaintStatus

__all__ = ["RANGE", "STATISTICS_NOW", "at", "complaint_row", "statistics_set"]

RANGE = {"date_from": "2026-09-01", "date_to": "2026-10-31"}
STATISTICS_NOW = timezone.make_aware(datetime.datetime(2026, 11, 1, 12, 0))
H = datetime.timedelta(hours=1)


def at(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def complaint_row(
    org, n, *, received, channel="phone", category=None, team=None, concerned=(), urgency="normal", **kw
) -> Complaint:
    """A complaint written straight to the table, so every time is exact (the services stamp now)."""
    first_hours, resolution_hours = (2, 24) if urgency == "urgent" else (24, 120)
    complaint = Complaint.objects.create(
        reference=f"TS-STAT-{n}",
        customer_name=f"客户{n}",
        phone="13812345678",
        email=f"kehu{n}@example.com",
        matter="投诉内容",
        received_at=received,
        channel=channel,
        category=category,
        urgency=urgency,
        concerned_team=team,
        recorded_by=org.handler.user,
        first_response_due=received + first_hours * H,
        resolution_due=received + resolution_hours * H,
        **kw,
    )
    complaint.concerned_employees.set(concerned)
    return complaint


def statistics_set(org) -> list[Complaint]:
    """Four complaints received in September–October 2026 (:data:`RANGE`) and one on 31 August
    at 23:00 local time (outside it):

    - c1 (A1, attitude, the agent): answered in 2 h, resolved in 10 h, closed, satisfaction 5;
    - c2 (A1, billing, e-mail, the agent and the peer): answered in 30 h, resolved in 130 h (both
      late), closed, satisfaction 3, reopened once;
    - c3 (B1, billing, online, urgent): never answered, escalated to level 2; a phone number and
      an e-mail address typed into its cause;
    - c4 (no team, the agent of A2): investigating, the clock paused an hour after receipt.
    """
    services.complaint_categories_install()
    cat = {c.code: c for c in ComplaintCategory.objects.all()}
    r1, r2, r3, r4 = at(2026, 9, 10, 10), at(2026, 9, 20, 8), at(2026, 10, 5, 9), at(2026, 10, 15, 12)
    c1 = complaint_row(
        org, 1, received=r1, category=cat["attitude"], team=org.a1, concerned=[org.agent], cause="态度差",
        first_responded_at=r1 + 2 * H, resolved_at=r1 + 10 * H, status=ComplaintStatus.CLOSED,
        closed_at=r1 + 30 * H, satisfaction=5,
    )  # fmt: skip
    c2 = complaint_row(
        org, 2, received=r2, channel="email", category=cat["billing"], team=org.a1, concerned=[org.agent, org.peer],
        cause="态度差", first_responded_at=r2 + 30 * H, resolved_at=r2 + 130 * H, status=ComplaintStatus.CLOSED,
        closed_at=r2 + 200 * H, satisfaction=3, reopen_count=1,
    )  # fmt: skip
    c3 = complaint_row(
        org, 3, received=r3, channel="online", category=cat["billing"], team=org.b1, urgency="urgent",
        cause="扣费 138 1234 5678 kehu3@example.com", escalation_level=2,
    )  # fmt: skip
    c4 = complaint_row(
        org, 4, received=r4, concerned=[org.other_team], status=ComplaintStatus.INVESTIGATING,
        paused_since=r4 + 1 * H,
    )  # fmt: skip
    # Received at 23:00 local time on 31 August: outside the range (local days, not UTC days).
    complaint_row(org, 5, received=at(2026, 8, 31, 23), category=cat["attitude"], team=org.a1)
    return [c1, c2, c3, c4]
