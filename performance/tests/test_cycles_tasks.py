"""Performance jobs (PRF-2): the month-end job opens the previous month (December in January),
records its run, and is harmless when run again; the reminder job records its run."""

import datetime

import pytest

from callcenter.celery import app as celery_app
from callcenter.models import JobRun
from performance import tasks
from performance.models import Appraisal, AppraisalCycle
from performance.tests.factories import agent_template


@pytest.fixture(autouse=True)
def _eager():
    """Run the jobs in-process (the Celery app's own switch: the setting is read once)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def january(monkeypatch):
    """The clock on 3 January 2026 (the job's "today" and the services' checks)."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 1, 3))


def test_month_end_job_in_january_opens_december_and_records_the_run(org, january):
    """Given the AGENT template and 3 January 2026, when the month-end job runs (eager), then
    December 2025 is opened with January deadlines, and the run is recorded as succeeded with a
    summary; run again the same day, it creates nothing and records a second run."""
    agent_template(org)
    result = tasks.appraisal_month_end.delay()
    assert result.successful()
    cycle = AppraisalCycle.objects.get()
    assert cycle.month == datetime.date(2025, 12, 1) and cycle.status == "open"
    assert cycle.self_deadline == datetime.date(2026, 1, 5)
    assert Appraisal.objects.filter(cycle=cycle).count() == 10
    run = JobRun.objects.get(job="appraisal-month-end")
    assert run.status == "succeeded" and run.detail == "2025-12: 10 appraisals opened, 10 expected"

    tasks.appraisal_month_end.delay()
    assert Appraisal.objects.count() == 10
    assert JobRun.objects.filter(job="appraisal-month-end").order_by("-pk").first().detail.startswith("2025-12: 0 ")


def test_reminder_job_records_its_run(org, january):
    agent_template(org)
    tasks.appraisal_month_end.delay()
    tasks.appraisal_reminders.delay()  # 3 January = self deadline (5 Jan) − 2 days
    run = JobRun.objects.get(job="appraisal-reminders")
    assert run.status == "succeeded" and run.detail == "10 reminders sent"
