"""The backup jobs through a real Celery worker over Redis (SEC-1): beat's "backup-run" and
"backup-verify" tasks, sent to a worker subprocess that writes to the test database, dumps it with
pg_dump, writes both locations (directories given to the worker by its environment) and restores
the remote copy into a scratch database."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from callcenter.models import JobRun, JobRunStatus
from datasecurity.models import BackupRun, RestoreDrill
from datasecurity.tasks import backup_run_due, restore_drill_due
from tests.test_celery_worker import (
    _forget_queue,
    _redis_url,
    _stop,
    _test_database_url,
    _wait_until_ready,
    real_broker,  # noqa: F401 - the fixture
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def backup_worker(django_db_setup, tmp_path_factory):
    """A worker on its own queue whose backup locations are two directories of this test."""
    redis_url = _redis_url()
    queue = f"test-backup-worker-{uuid.uuid4().hex}"
    root = tmp_path_factory.mktemp("worker-backups")
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": redis_url,
        "DATABASE_URL": _test_database_url(),
        "BACKUP_LOCAL_URL": str(root / "local"),
        "BACKUP_REMOTE_URL": str(root / "remote"),
        "MEDIA_ROOT": str(root / "media"),
        "PRIVATE_MEDIA_ROOT": str(root / "private"),
    }
    with tempfile.TemporaryDirectory(prefix="celery-backup-worker-") as tmp:
        log_path = Path(tmp) / "worker.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "callcenter",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_ready(process, log_path)
            yield queue, root, log_path
        finally:
            _stop(process)
            _forget_queue(redis_url, queue)


def _wait_for(job: str, log_path: Path, timeout: float = 180) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        run = JobRun.objects.filter(job=job).exclude(status="running").first()
        if run is not None:
            return run
        assert time.monotonic() < deadline, log_path.read_text(errors="replace")[-5000:]
        time.sleep(0.5)


@pytest.mark.usefixtures("real_broker")
def test_the_worker_makes_a_due_backup_and_proves_it_by_a_restore(backup_worker):
    queue, root, log_path = backup_worker
    # given no backup yet (so one is due), when beat's check reaches the worker
    backup_run_due.apply_async(queue=queue)
    job = _wait_for("backup-run", log_path)
    # then the worker made the backup in both of its locations, recorded in the test database
    assert job.status == JobRunStatus.SUCCEEDED, job.detail
    run = BackupRun.objects.get()
    assert run.status == "succeeded" and run.trigger == "schedule"
    assert (root / "local" / run.name).is_file() and (root / "remote" / run.name).is_file()
    # when the drill job reaches the worker, then it restores the remote copy and proves it
    restore_drill_due.apply_async(queue=queue)
    job = _wait_for("backup-verify", log_path)
    assert job.status == JobRunStatus.SUCCEEDED, job.detail
    drill = RestoreDrill.objects.get()
    assert drill.result == "passed", drill.checks
    assert f"backup {run.pk} proven restorable" in job.detail
