"""Periodic jobs (callcenter.jobs): every run is recorded as a JobRun, run eagerly here.

tests/test_celery_worker.py runs the same jobs through a real worker over Redis.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from callcenter import services
from callcenter.celery import app as celery_app
from callcenter.jobs import periodic_job
from callcenter.models import JobRun, JobRunStatus
from callcenter.tasks import job_runs_prune, sessions_clear
from datasecurity.models import AuditEvent
from datasecurity.services import audit_record
from datasecurity.tasks import audit_chain_verify

pytestmark = pytest.mark.django_db


@periodic_job("test-succeeding-job")
def succeeding_job(count):
    return f"{count} things done"


@periodic_job("test-failing-job")
def failing_job():
    raise ValueError("the service said no")


@pytest.fixture(autouse=True)
def eager(celery_eager):
    """Tasks run in this process, exceptions propagate (whatever REDIS_URL made the default)."""


def _session(key: str, expires_in: datetime.timedelta) -> Session:
    return Session.objects.create(session_key=key, session_data="", expire_date=timezone.now() + expires_in)


def test_successful_job_records_a_succeeded_run_with_its_summary():
    # given no run of the job yet
    assert not JobRun.objects.filter(job="test-succeeding-job").exists()
    # when the job runs
    result = succeeding_job.delay(3)
    # then it returns its summary and one succeeded run records it, with the task id
    assert result.get() == "3 things done"
    run = JobRun.objects.get(job="test-succeeding-job")
    assert run.status == JobRunStatus.SUCCEEDED
    assert run.detail == "3 things done"
    assert run.task_id == result.id
    assert run.started_at <= run.finished_at


def test_failing_job_records_a_failed_run_and_reraises():
    # given a job whose service raises
    # when it runs
    with pytest.raises(ValueError, match="the service said no"):
        failing_job.apply()
    # then the run is recorded as failed with the error, for the admins' health page
    run = JobRun.objects.get(job="test-failing-job")
    assert run.status == JobRunStatus.FAILED
    assert run.detail == "ValueError: the service said no"
    assert run.finished_at is not None


def test_sessions_clear_deletes_expired_sessions_and_is_idempotent():
    # given one expired and one live session
    _session("expired-session-0000000000000001", -datetime.timedelta(minutes=1))
    _session("live-session-00000000000000000001", datetime.timedelta(hours=1))
    # when the job runs twice
    first = sessions_clear.apply().get()
    state_after_first = set(Session.objects.values_list("session_key", flat=True))
    second = sessions_clear.apply().get()
    # then the first run deletes the expired session, the second deletes nothing: same state
    assert first == "1 expired sessions deleted"
    assert second == "0 expired sessions deleted"
    assert state_after_first == {"live-session-00000000000000000001"}
    assert set(Session.objects.values_list("session_key", flat=True)) == state_after_first
    runs = JobRun.objects.filter(job="sessions-clear").order_by("started_at")
    assert [(run.status, run.detail) for run in runs] == [
        (JobRunStatus.SUCCEEDED, "1 expired sessions deleted"),
        (JobRunStatus.SUCCEEDED, "0 expired sessions deleted"),
    ]


def _run(job: str, days_ago: float, status: str = JobRunStatus.SUCCEEDED) -> JobRun:
    started = timezone.now() - datetime.timedelta(days=days_ago)
    return JobRun.objects.create(job=job, started_at=started, finished_at=started, status=status)


def test_job_runs_prune_keeps_recent_runs_and_each_jobs_last_runs_and_is_idempotent(settings):
    # given 30 days of history to keep, and runs of three jobs, most of them older than that
    settings.JOB_RUN_RETENTION_DAYS = 30
    _run("often", 100)
    last_success = _run("often", 90)
    old_failure = _run("often", 80, JobRunStatus.FAILED)  # the last run: failing for 80 days
    _run("busy", 60)
    _run("busy", 45)
    recent = [_run("busy", 10), _run("busy", 1)]
    _run("rare", 400)
    rare_last = _run("rare", 200)
    # when the job runs twice
    first = job_runs_prune.apply().get()
    state_after_first = set(JobRun.objects.exclude(job="job-runs-prune").values_list("pk", flat=True))
    second = job_runs_prune.apply().get()
    # then the old runs are gone, but a job's last run and its last success stay, however old
    assert first == "4 job runs older than 30 days deleted"
    assert state_after_first == {last_success.pk, old_failure.pk, *(r.pk for r in recent), rare_last.pk}
    # and the second run deletes nothing (its own runs are recent)
    assert second == "0 job runs older than 30 days deleted"
    assert set(JobRun.objects.exclude(job="job-runs-prune").values_list("pk", flat=True)) == state_after_first
    assert JobRun.objects.filter(job="job-runs-prune", status=JobRunStatus.SUCCEEDED).count() == 2


def test_job_runs_prune_deletes_in_batches():
    # given more old runs than one batch holds
    for days in range(40, 47):
        _run("batched", days)
    _run("batched", 1)
    # when the service prunes with batches of two
    deleted = services.job_runs_prune(keep_days=30, batch_size=2)
    # then every old run is gone, the recent one stays
    assert deleted == 7
    assert JobRun.objects.filter(job="batched").count() == 1


def test_the_prune_job_is_on_the_health_page(client, org):
    # given an administrator, and the prune job's one run
    _run("job-runs-prune", 0)
    org.hr.user.is_staff = True
    org.hr.user.save()
    client.force_login(org.hr.user)
    # when the health page is shown
    html = client.get(reverse("callcenter:health")).content.decode()
    # then the job is listed with its schedule and its last run, like the others
    assert 'data-job="job-runs-prune"' in html and "callcenter.tasks.job_runs_prune" in html
    assert "20 3 * * *" in html


def test_audit_chain_verify_succeeds_on_an_intact_chain():
    # given a couple of audit events appended the normal way
    audit_record(actor=None, action="test.create", object_type="test.thing", object_id=1, object_repr="one")
    audit_record(actor=None, action="test.update", object_type="test.thing", object_id=1, changes={"n": [1, 2]})
    total = AuditEvent.objects.count()
    # when the integrity job runs
    summary = audit_chain_verify.delay().get()
    # then it verified every event, says it has no checkpoint to compare with yet (none written
    # in this test's directory) and recorded a succeeded run
    assert summary == f"{total} events verified; no checkpoint yet in {settings.AUDIT_CHECKPOINT_DIR}"
    run = JobRun.objects.get(job="audit-chain-verify")
    assert (run.status, run.detail) == (JobRunStatus.SUCCEEDED, summary)


def test_audit_chain_verify_fails_and_records_a_failed_run_on_a_broken_chain():
    # given a chain whose second event was edited behind the application's back (the trigger that
    # refuses UPDATE is disabled for the edit, inside the test transaction, then enabled again)
    audit_record(actor=None, action="test.create", object_type="test.thing", object_id=1)
    edited = audit_record(actor=None, action="test.update", object_type="test.thing", object_id=1)
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred (foreign key) checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE datasecurity_auditevent DISABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute("UPDATE datasecurity_auditevent SET action = 'test.tampered' WHERE id = %s", [edited.pk])
        cursor.execute("ALTER TABLE datasecurity_auditevent ENABLE TRIGGER datasecurity_audit_no_update_delete")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE datasecurity_auditevent SET action = 'again' WHERE id = %s", [edited.pk])
    # when the integrity job runs
    with pytest.raises(RuntimeError, match="audit chain broken"):
        audit_chain_verify.apply()
    # then the run is recorded as failed, naming the edited event
    run = JobRun.objects.get(job="audit-chain-verify")
    assert run.status == JobRunStatus.FAILED
    assert run.detail.startswith("RuntimeError: audit chain broken")
    assert f"event {edited.pk}: content does not match its hash (edited)" in run.detail


def test_every_scheduled_job_is_a_registered_task_with_a_label():
    # given the beat schedule, and the task modules a worker imports at start (autodiscovery)
    celery_app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    # then each entry names a registered task and has a label on the health page
    for name, entry in schedule.items():
        assert entry["task"] in celery_app.tasks, name
        assert name in settings.PERIODIC_JOB_LABELS, name
