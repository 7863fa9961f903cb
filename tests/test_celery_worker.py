"""Tasks executed by a real Celery worker over Redis, writing to the pytest test database.

The worker is a subprocess (`celery -A callcenter worker`, solo pool) listening on a queue of its
own, so it never takes another run's tasks; it writes through DATABASE_URL pointed at the test
database, and the tests are transactional so that both sides see committed rows. Redis missing
fails the run: never a skip.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings

from callcenter.celery import app as celery_app
from callcenter.models import JobRun, JobRunStatus
from callcenter.request_context import request_id_context
from callcenter.tasks import ping, sessions_clear

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_START_TIMEOUT_S = 60
RESULT_TIMEOUT_S = 60


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: the worker tests need Redis (run `make test`).")

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {url} ({exc}): start it (scripts/check_services.py says how).")
    return url


def _test_database_url() -> str:
    """DATABASE_URL with the test database's name (pytest-django renamed it in settings)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = settings.DATABASES["default"]["NAME"]
    assert name.startswith("test_"), f"not the test database: {name}"
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _wait_until_ready(process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        output = log_path.read_text(errors="replace")
        if " ready." in output:
            return
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited with {process.returncode} before it was ready:\n{output}")
        time.sleep(0.2)
    pytest.fail(
        f"The Celery worker was not ready after {WORKER_START_TIMEOUT_S} s:\n{log_path.read_text(errors='replace')}"
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)  # warm shutdown of the worker and anything it started
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _forget_queue(redis_url: str, queue: str) -> None:
    """Drop what kombu keeps in Redis for the one-off queue."""

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    client.delete(queue, f"_kombu.binding.{queue}")
    client.close()


@pytest.fixture(scope="module")
def worker(django_db_setup):
    """A worker subprocess consuming a queue of its own (``.queue``); ``.result(r)`` waits for a
    task's result and fails with the worker's output if none comes.

    Module-scoped (one start for all the tests here), so it stops before pytest-django drops the
    test database at the end of the session.
    """
    redis_url = _redis_url()
    queue = f"test-worker-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": redis_url,
        "DATABASE_URL": _test_database_url(),
        # As in production: one JSON object per log line (Celery keeps the settings' logging).
        "LOG_FORMAT": "json",
    }
    with tempfile.TemporaryDirectory(prefix="celery-worker-") as tmp:
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
                start_new_session=True,  # its own process group, killed as a whole
            )

        def result(async_result):
            try:
                return async_result.get(timeout=RESULT_TIMEOUT_S)
            except CeleryTimeoutError:
                alive = "running" if process.poll() is None else f"exited with {process.returncode}"
                pytest.fail(
                    f"No result from the worker ({alive}) after {RESULT_TIMEOUT_S} s:\n"
                    f"{log_path.read_text(errors='replace')}"
                )

        try:
            _wait_until_ready(process, log_path)
            yield SimpleNamespace(queue=queue, result=result, log=lambda: log_path.read_text(errors="replace"))
        finally:
            _stop(process)
            _forget_queue(redis_url, queue)


@pytest.fixture
def real_broker():
    """Send tasks to Redis from this process, whatever the environment made eager."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield celery_app
    finally:
        celery_app.conf.task_always_eager = previous


def test_ping_round_trip_through_the_worker(worker, real_broker):
    # given a worker consuming its own queue over Redis
    # when ping is sent to that queue
    result = ping.apply_async(args=[7], queue=worker.queue)
    # then the worker answers it, through the result backend
    assert worker.result(result) == {"pong": 7}


def test_periodic_job_run_by_the_worker_records_its_run(worker, real_broker):
    # given a worker writing to the test database, and no run of sessions-clear yet
    assert not JobRun.objects.filter(job="sessions-clear").exists()
    # when the periodic job is sent to the worker
    result = sessions_clear.apply_async(queue=worker.queue)
    summary = worker.result(result)
    # then the worker recorded a succeeded JobRun in the test database
    deadline = time.monotonic() + 10
    while not JobRun.objects.filter(job="sessions-clear", status=JobRunStatus.SUCCEEDED).exists():
        assert time.monotonic() < deadline, list(JobRun.objects.values("job", "status", "detail"))
        time.sleep(0.2)
    run = JobRun.objects.get(job="sessions-clear")
    assert run.detail == summary == "0 expired sessions deleted"
    assert run.task_id == result.id
    assert run.finished_at is not None


def test_the_workers_log_lines_are_json_and_name_the_request_that_queued_the_task(worker, real_broker):
    # given a task queued while a request is handled
    with request_id_context("5eed0f1d2c3b4a59"):
        result = ping.apply_async(args=[8], queue=worker.queue)
    # and one queued by no request
    lone = ping.apply_async(args=[9], queue=worker.queue)
    worker.result(result)
    worker.result(lone)

    def logged():
        lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
        done = {
            line["request_id"]
            for line in lines
            if "succeeded" in line["message"] and "callcenter.tasks.ping" in line["message"]
        }
        return lines, done

    # (a result can reach Redis before the worker's log line reaches its file: read until both are)
    deadline = time.monotonic() + 10
    lines, done = logged()
    while not {"5eed0f1d2c3b4a59", lone.id} <= done and time.monotonic() < deadline:
        time.sleep(0.2)
        lines, done = logged()
    # then the worker logs JSON lines (the banner printed at start is no log line) ...
    assert any(" ready." in line["message"] for line in lines)
    assert all({"time", "level", "logger", "request_id", "message"} <= set(line) for line in lines)
    # ... and the task's lines carry the id of the request that queued it, or the task's own id
    assert {"5eed0f1d2c3b4a59", lone.id} <= done
