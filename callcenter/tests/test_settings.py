"""Production settings refuse to start without their required environment."""

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
