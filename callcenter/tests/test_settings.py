"""Production settings refuse to start without their required environment."""

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
