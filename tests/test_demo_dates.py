"""The demo's dates follow the day it is seeded (issue 14): installed on any day, the try-out has
last month's appraisal open with its self-evaluation due in the future (PRF-2), notifications
that agree with the pages and ask nothing by a date already past, and history behind today."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from attendance.models import DailyAttendance, LeaveRequest, Punch
from callcenter.models import Notification, User
from complaints.models import Complaint
from datasecurity.selectors import audit_chain_verify
from performance import rules
from performance.demo import cycles as demo_cycles
from performance.models import AgentDailyMetric, AppraisalCycle, CycleStatus

pytestmark = pytest.mark.django_db

django_now = timezone.now  # the real clock (the tests seed on another day)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


SEED_DAYS = [
    datetime.date(2026, 12, 1),  # the month-end job's day: the policy's deadlines stand
    datetime.date(2026, 12, 7),  # the policy's self-evaluation deadline (the 5th) has passed
    datetime.date(2027, 2, 28),  # the last day of a short month
    datetime.date(2026, 12, 31),  # the year's last day (annual leave, next year's cycle)
]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _seed_on(day: datetime.date, monkeypatch) -> None:
    """Seed the demo as if today were ``day`` (at 10:00, the clock ticking from there)."""
    started = timezone.now()
    frozen = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    monkeypatch.setattr("django.utils.timezone.now", lambda: frozen + (django_now() - started))
    seed(employees=30, months=1)


@pytest.mark.parametrize("today", SEED_DAYS, ids=str)
def test_demo_dates_follow_the_day_of_the_seed(today, monkeypatch, settings, tmp_path):
    # given a try-out installed on `today`
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    _seed_on(today, monkeypatch)
    # then last month is being appraised, its self-evaluation still open for a week (PRF-2)
    cycle = AppraisalCycle.objects.get()
    policy = rules.policy_from_snapshot(cycle.policy_snapshot)
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    assert cycle.month == last_day.replace(day=1) and cycle.status == CycleStatus.OPEN
    assert cycle.self_deadline >= today + datetime.timedelta(days=demo_cycles.SELF_DAYS_LEFT)
    assert cycle.self_deadline == max(
        last_day + datetime.timedelta(days=policy.self_evaluation_days),
        today + datetime.timedelta(days=demo_cycles.SELF_DAYS_LEFT),
    )
    gap = policy.superior_evaluation_days - policy.self_evaluation_days
    assert cycle.superior_deadline - cycle.self_deadline == datetime.timedelta(days=gap)
    # and the notifications agree with the page: the deadline they give is the cycle's
    opened = Notification.objects.filter(kind="appraisal.open")
    assert opened.exists()
    assert {tuple(ISO_DATE.findall(n.body)) for n in opened} == {(cycle.self_deadline.isoformat(),)}
    agent = User.objects.get(username="agent")
    with translation.override("en"):
        mine = _api_get(agent, "/api/v1/performance/appraisals/mine/")
    assert {row["self_deadline"] for row in mine["results"]} == {cycle.self_deadline.isoformat()}
    # and nothing unread asks to act by a date already past (leave notes name leave days, not deadlines)
    for note in Notification.objects.filter(read_at__isnull=True).exclude(kind__startswith="leave."):
        dates = [datetime.date.fromisoformat(d) for d in ISO_DATE.findall(f"{note.title} {note.body}")]
        assert all(d >= today for d in dates), (note.kind, note.title, note.body)
    # and there is history before the day: attendance, leave, complaints, metrics of last month
    assert DailyAttendance.objects.filter(work_date__lt=today, work_date__gte=cycle.month).exists()
    assert not Punch.objects.filter(punched_at__date__gt=today).exists()
    assert LeaveRequest.objects.filter(start_date__lt=today).exists()
    assert LeaveRequest.objects.filter(start_date__gt=today).exists()
    received = Complaint.objects.values_list("received_at", flat=True)
    assert received and all(r.date() <= today for r in received)
    assert AgentDailyMetric.objects.filter(day__gte=cycle.month, day__lte=last_day).exists()
    assert audit_chain_verify().ok


def _api_get(user, path) -> dict:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.json()
