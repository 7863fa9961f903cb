"""The SLA escalation job (CMP-1, CMP-2): scheduled every 5 minutes, idempotent, recorded."""

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from callcenter.celery import app as celery_app
from callcenter.models import JobRun, JobRunStatus
from complaints import services
from complaints.models import ComplaintEvent, EventKind
from complaints.tasks import complaint_sla_escalation
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager():
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


def test_job_is_scheduled_every_five_minutes_with_a_label():
    entry = settings.CELERY_BEAT_SCHEDULE["complaint-sla-escalation"]
    assert entry["task"] == "complaints.tasks.complaint_sla_escalation"
    assert entry["schedule"] == crontab(minute="*/5")
    assert "complaint-sla-escalation" in settings.PERIODIC_JOB_LABELS
    assert complaint_sla_escalation.name == entry["task"]


def test_job_twice_escalates_an_overdue_complaint_once(org):
    # given an urgent complaint received 3 hours ago, never answered (first response due after 2 h)
    complaint = services.complaint_record(
        actor=org.agent.user,
        customer_name="王先生",
        phone="13812345678",
        matter="多次来电无人处理",
        channel="phone",
        urgency="urgent",
        received_at=timezone.now() - datetime.timedelta(hours=3),
    )
    # when the job runs twice (a late ack re-runs it)
    first = complaint_sla_escalation.delay().get()
    second = complaint_sla_escalation.delay().get()
    # then the complaint is escalated to level 1 exactly once
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 1
    assert AuditEvent.objects.filter(action="complaint.escalate").count() == 1
    assert "1 to level 1" in first and "0 to level 1" in second
    # and both runs are recorded as succeeded
    runs = JobRun.objects.filter(job="complaint-sla-escalation")
    assert runs.count() == 2 and set(runs.values_list("status", flat=True)) == {JobRunStatus.SUCCEEDED}
