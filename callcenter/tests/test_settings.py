"""Production settings: they refuse to start without their required environment, keep the broker,
results and cache apart, log JSON lines with the request id, and report errors to Sentry (only
when SENTRY_DSN is set, without personal data)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

REQUIRED = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"]
FULL_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "callcenter.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/callcenter",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _load_settings(env):
    base = {k: v for k, v in os.environ.items() if k not in FULL_ENV}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "callcenter.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_starts_with_everything_set():
    result = _load_settings(FULL_ENV)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in FULL_ENV.items() if k != missing}
    result = _load_settings(env)
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def _values(env, *names):
    """The settings ``names`` (``CACHE``: the default cache's location) of a process started with ``env``."""
    value = "s.CACHES['default']['LOCATION'] if n == 'CACHE' else getattr(s, n)"
    code = "import json, django; django.setup(); from django.conf import settings as s; "
    code += f"print(json.dumps({{n: {value} for n in {names!r}}}))"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "callcenter.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        ("redis://redis:6379/0", ["redis://redis:6379/0", "redis://redis:6379/1", "redis://redis:6379/2"]),
        (
            "redis://:pw@10.0.0.5:6380",
            ["redis://:pw@10.0.0.5:6380", "redis://:pw@10.0.0.5:6380/1", "redis://:pw@10.0.0.5:6380/2"],
        ),
        (
            "rediss://cache.example.com:6379/4?ssl_cert_reqs=required",
            [
                "rediss://cache.example.com:6379/4?ssl_cert_reqs=required",
                "rediss://cache.example.com:6379/5?ssl_cert_reqs=required",
                "rediss://cache.example.com:6379/6?ssl_cert_reqs=required",
            ],
        ),
        (
            "unix:///run/redis.sock?db=3",
            ["unix:///run/redis.sock?db=3", "unix:///run/redis.sock?db=4", "unix:///run/redis.sock?db=5"],
        ),
    ],
)
def test_broker_results_and_cache_each_have_their_own_redis_database(redis_url, expected):
    # given production settings with one REDIS_URL
    result = _values({**FULL_ENV, "REDIS_URL": redis_url}, "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE")
    # then the broker uses its database, the results the next one, the cache the one after
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert [values["CELERY_BROKER_URL"], values["CELERY_RESULT_BACKEND"], values["CACHE"]] == expected


def test_results_and_cache_databases_can_be_named_but_never_shared():
    # given explicit URLs for the results and the cache
    named = {**FULL_ENV, "REDIS_RESULTS_URL": "redis://other:6379/7", "REDIS_CACHE_URL": "redis://other:6379/8"}
    values = json.loads(_values(named, "CELERY_RESULT_BACKEND", "CACHE").stdout)
    # then they are used
    assert values == {"CELERY_RESULT_BACKEND": "redis://other:6379/7", "CACHE": "redis://other:6379/8"}
    # and settings refuse to start when two of the three are the same database
    shared = _values({**FULL_ENV, "REDIS_CACHE_URL": FULL_ENV["REDIS_URL"]}, "CACHE")
    assert shared.returncode != 0 and "must name three different databases" in shared.stderr


def test_a_broker_database_without_two_free_databases_after_it_is_refused():
    # given the last-but-one database of the 16 Redis has by default
    result = _values({**FULL_ENV, "REDIS_URL": "redis://127.0.0.1:6379/14"}, "CACHE")
    # then settings refuse to start, saying why
    assert result.returncode != 0 and "REDIS_URL's database must be 0..13" in result.stderr


# A production process serving one request that fails: its log lines (stderr) and what it would
# send to Sentry (a transport that keeps the events instead of sending them).
FAILING_REQUEST = """
import json, django
django.setup()
from django.conf import settings
plain = "django.contrib.staticfiles.storage.StaticFilesStorage"  # no manifest outside the image
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": plain}}
import sentry_sdk
from sentry_sdk.transport import Transport
events = []
class Keep(Transport):
    def capture_envelope(self, envelope):
        events.extend(item.payload.json for item in envelope.items if item.type == "event")
client = sentry_sdk.get_client()
if client.is_active():
    client.transport = Keep(client.options)
from callcenter import selectors
def health_database():
    raise RuntimeError("the database is on fire")
selectors.health_database = health_database
from django.test import Client
response = Client(raise_request_exception=False).get("/healthz", {"q": "customer 13800138000"})
sentry_sdk.flush()
print(json.dumps({
    "status": response.status_code,
    "request_id": response["X-Request-ID"],
    "page": response.content.decode(),
    "sentry_active": client.is_active(),
    "options": {k: client.options[k] for k in ("send_default_pii", "environment", "include_local_variables")},
    "integrations": sorted(getattr(client, "integrations", {})),
    "events": events,
}))
"""


def _failing_request(env):
    production = {**FULL_ENV, "DJANGO_ALLOWED_HOSTS": "testserver", "DJANGO_SECURE_SSL_REDIRECT": "false", **env}
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    result = subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "callcenter.settings", **production},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def test_production_logs_one_json_object_per_line_each_with_the_request_id():
    # given production settings serving a request that fails
    answer, stderr = _failing_request({})
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    # then every line is a JSON object with its time, level, logger, request id and message
    assert lines and all({"time", "level", "logger", "request_id", "message"} <= set(line) for line in lines)
    # and the error and the access line carry the id the response and the 500 page show
    request_id = answer["request_id"]
    error = next(line for line in lines if line["logger"] == "django.request")
    assert error["request_id"] == request_id and "the database is on fire" in error["exc_info"]
    access = next(line for line in lines if line["logger"] == "callcenter.requests")
    assert (access["request_id"], access["status"], access["path"]) == (request_id, 500, "/healthz")
    assert answer["status"] == 500 and f">{request_id}</code>" in answer["page"]
    # and without SENTRY_DSN nothing is sent anywhere
    assert answer["sentry_active"] is False and answer["events"] == []


def test_with_a_sentry_dsn_errors_reach_sentry_tagged_with_the_request_id_and_without_personal_data():
    # given production settings with a Sentry DSN
    answer, _stderr = _failing_request({"SENTRY_DSN": "https://public@sentry.example.com/1"})
    # then the SDK is on with the Django and Celery integrations, and sends no personal data
    assert answer["sentry_active"] is True
    assert {"django", "celery"} <= set(answer["integrations"])
    assert answer["options"] == {
        "send_default_pii": False,
        "environment": "production",
        "include_local_variables": False,
    }
    # and the failing request's error was reported, tagged with the id the user can quote
    events = answer["events"]
    assert events, "no event reached the transport"
    error = next(e for e in events if e.get("exception"))
    assert error["tags"]["request_id"] == answer["request_id"]
    assert error["exception"]["values"][-1]["value"] == "the database is on fire"
    # without the query string (a customer's phone number), the user or their address, or locals
    reported = json.dumps(events)
    assert "13800138000" not in reported and "query_string" not in error.get("request", {})
    assert "user" not in error or "ip_address" not in error["user"]
    frames = [f for value in error["exception"]["values"] for f in value.get("stacktrace", {}).get("frames", [])]
    assert frames and not any("vars" in frame for frame in frames)
