"""docker-compose.yml and the Dockerfile: valid against the Compose spec and wired as documented.

No Docker engine runs here, so these read the files; `make compose-check` runs the same schema.
"""

import subprocess
import sys

import pytest
import yaml
from django.conf import settings

BASE_DIR = settings.BASE_DIR
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_file_is_valid_against_the_compose_spec():
    # given the compose file and check-jsonschema's vendored Compose specification
    # when it validates the file
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it passes
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_has_the_five_services(compose):
    # given the parsed compose file
    # then it runs the database, the broker, the app, the worker and the scheduler
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(compose["services"])


def test_services_have_healthchecks(compose):
    # given the parsed compose file
    services = compose["services"]
    # then PostgreSQL and Redis say when they are ready, and web probes /healthz
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(compose, name):
    # given an app service
    depends_on = compose["services"][name]["depends_on"]
    # then it starts only once both services report healthy
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production_with_required_secrets(compose, name):
    # given an app service's environment
    environment = compose["services"][name]["environment"]
    # then it runs production settings against the compose services, and the secret key and
    # allowed hosts have no default: compose refuses to start without them
    assert environment["DJANGO_ENV"] == "production"
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert environment["DJANGO_ALLOWED_HOSTS"].startswith("${DJANGO_ALLOWED_HOSTS:?")
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_web_migrates_then_serves_with_gunicorn(compose):
    # given the web service's command
    command = _command(compose["services"]["web"])
    # then it migrates before gunicorn serves the WSGI app (static files are collected at build)
    assert "gunicorn callcenter.wsgi:application" in command
    assert "--bind 0.0.0.0:8000" in command
    assert command.index("migrate") < command.index("gunicorn")


def test_worker_and_beat_run_celery(compose):
    # given the worker and beat services
    worker = _command(compose["services"]["worker"])
    beat = _command(compose["services"]["beat"])
    # then they run the Celery worker and the beat scheduler of the callcenter app
    assert worker.startswith("celery -A callcenter worker")
    assert beat.startswith("celery -A callcenter beat")
    assert "--schedule=/app/var/celerybeat-schedule" in beat


def test_dockerfile_installs_cjk_fonts_and_weasyprint_libraries():
    # given the Dockerfile
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    # then the image has the CJK fonts (Chinese glyphs in WeasyPrint PDFs), Pango and gettext
    for package in ("fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "gettext"):
        assert package in dockerfile, package
    # and it runs as a non-root user
    assert "\nUSER app\n" in dockerfile


def test_dockerignore_keeps_local_state_out_of_the_image():
    # given the .dockerignore file
    ignored = set((BASE_DIR / ".dockerignore").read_text(encoding="utf-8").split())
    # then the virtualenv, local data, git history and test artifacts stay out of the build context
    assert {".venv", "var", ".git", "test-artifacts"} <= ignored
