"""Helpers for the cycle tests (PRF-2): real attendance days and complaint follow-ups for the
automatic indicators, and a default month in the past."""

from __future__ import annotations

import datetime

from django.utils import timezone

from attendance.models import DailyAttendance
from callcenter.tests import factories as f
from complaints.models import Complaint, FollowUp
from performance.models import AppraisalTemplate
from performance.tests.factories.setup import standard_template

__all__ = ["MONTH", "agent_template", "attendance_days", "aware", "employee", "follow_up"]

MONTH = datetime.date(2025, 5, 1)


def agent_template(org) -> AppraisalTemplate:
    """The standard template for the post every ``org`` person holds (AGENT)."""
    existing = AppraisalTemplate.objects.filter(position=org.agent.position, active=True).first()
    return existing or standard_template(org.agent.position)


def attendance_days(employee, month: datetime.date, *, late: int = 0, absent: int = 0, normal: int = 0) -> None:
    """Daily attendance rows as the nightly job writes them: ``late`` days late by 10 minutes
    (ATT-4, a fine), ``absent`` days of absenteeism (ATT-5), then ``normal`` days."""
    rows = []
    day = month.replace(day=1)
    for status, explanation in (
        *[("late", [{"rule": "late_minor", "minutes": 10, "limit": 30}])] * late,
        *[("absent", [{"rule": "absent"}])] * absent,
        *[("normal", [])] * normal,
    ):
        rows.append(
            DailyAttendance(
                employee=employee,
                work_date=day,
                status=status,
                scheduled_minutes=480,
                worked_minutes=0 if status == "absent" else 470,
                late_minutes=10 if status == "late" else 0,
                explanation=explanation,
            )
        )
        day += datetime.timedelta(days=1)
    DailyAttendance.objects.bulk_create(rows)


def follow_up(org, employee, satisfaction: int, at: datetime.datetime, n: int = 0):
    """A resolved complaint concerning ``employee`` with one follow-up visit (CMP-3)."""
    received = at - datetime.timedelta(days=2)
    complaint = Complaint.objects.create(
        reference=f"TS-CYC-{employee.pk}-{n}",
        customer_name="客户",
        phone="13812345678",
        matter="投诉内容",
        received_at=received,
        channel="phone",
        recorded_by=org.handler.user,
        first_response_due=received + datetime.timedelta(hours=24),
        resolution_due=received + datetime.timedelta(hours=120),
    )
    complaint.concerned_employees.set([employee])
    FollowUp.objects.create(complaint=complaint, satisfaction=satisfaction, at=at, by=org.handler.user)
    return complaint


def aware(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def employee(team, *, position_code: str = "AGENT", **kw):
    """An employee of ``team`` (another post than AGENT gives one without a template)."""
    position = f.PositionFactory(code=position_code, name=position_code)
    return f.EmployeeFactory(team=team, department=team.department, position=position, **kw)
