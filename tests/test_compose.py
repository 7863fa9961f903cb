"""docker-compose.yml and the Dockerfile: valid against the Compose spec and wired as documented.

No Docker engine runs here, so these read the files; `make compose-check` runs the same schema.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import PurePosixPath

import pytest
import yaml
from django.conf import settings

BASE_DIR = settings.BASE_DIR
APP_SERVICES = ("web", "worker", "beat")
APP_DIR = PurePosixPath("/app")  # WORKDIR of the image: BASE_DIR inside the containers


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _interpolate(value: str) -> str:
    """Compose's ``${VAR:-default}`` as its default and ``${VAR:?message}`` as a made-up value."""

    def replace(match):
        return match.group(3) if match.group(2) == "-" else f"compose-test-{match.group(1).lower()}-" + "x" * 40

    return re.sub(r"\$\{(\w+)(?::([-?])([^}]*))?\}", replace, str(value))


def _named_volume_mounts(compose: dict, service: str) -> dict[str, str]:
    """A service's mounts of named volumes: {target path: volume name} (short and long syntax)."""
    mounts = {}
    for volume in compose["services"][service].get("volumes", []):
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target = rest.split(":")[0]
        else:
            source, target = volume.get("source", ""), volume["target"]
            if volume.get("type", "volume") != "volume":
                continue
        if source in (compose.get("volumes") or {}):
            mounts[target] = source
    return mounts


@pytest.fixture(scope="module")
def production_paths(compose) -> dict[str, PurePosixPath]:
    """Every path setting of the production settings as web's environment in the compose file makes
    them, as a path inside the container: the values of ``os.PathLike`` settings and of absolute
    ``*_ROOT`` / ``*_DIR`` strings, read by a process that imports the settings (no list kept here)."""
    environment = {name: _interpolate(value) for name, value in compose["services"]["web"]["environment"].items()}
    code = (
        "import json, os, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: os.fspath(getattr(s, n)) for n in dir(s) if n.isupper() and ("
        "isinstance(getattr(s, n), os.PathLike) or (isinstance(getattr(s, n), str) and "
        "n.endswith(('_ROOT', '_DIR')) and os.path.isabs(getattr(s, n))))}))"
    )
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**base, **environment, "DJANGO_SETTINGS_MODULE": "callcenter.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    paths = {}
    for name, value in json.loads(done.stdout).items():
        path = PurePosixPath(value)
        if path.is_relative_to(BASE_DIR):
            path = APP_DIR / path.relative_to(BASE_DIR)
        paths[name] = path
    return paths


def _writable(paths: dict[str, PurePosixPath]) -> dict[str, PurePosixPath]:
    """The paths the app writes at run time: the image's code is read-only (root's), only var/ is
    the app's, and a path outside the code came from the environment. STATIC_ROOT is written once,
    at build (collectstatic), and is part of the image."""
    return {
        name: path
        for name, path in paths.items()
        if name != "STATIC_ROOT" and (path.is_relative_to(APP_DIR / "var") or not path.is_relative_to(APP_DIR))
    }


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


def test_web_serves_with_gunicorn_and_never_migrates(compose):
    # given the web service's command
    command = _command(compose["services"]["web"])
    # then gunicorn serves the WSGI app (static files are collected at build), and web does not
    # migrate: scaled to several containers, each would race the others
    assert command.startswith("gunicorn callcenter.wsgi:application")
    assert "--bind 0.0.0.0:8000" in command
    assert "migrate" not in command


def test_a_one_off_service_migrates_once_before_the_app_starts(compose):
    # given the migrate service
    migrate = compose["services"]["migrate"]
    # then it runs the migrations with the app's image and environment once (never restarted),
    # as soon as the database is healthy
    assert _command(migrate) == "python manage.py migrate --noinput"
    assert migrate["image"] == compose["services"]["web"]["image"]
    assert migrate["environment"] == compose["services"]["web"]["environment"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    # and web, worker and beat start only once it has finished successfully
    for name in APP_SERVICES:
        assert compose["services"][name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    # and no other service migrates
    others = [name for name, service in compose["services"].items() if name != "migrate"]
    assert not [name for name in others if "migrate" in _command(compose["services"][name])]


def test_the_settings_write_files_under_var(production_paths):
    # given the production settings' paths, then the files the app writes are found (the test
    # below would prove nothing if none were)
    writable = _writable(production_paths)
    assert {"MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"} <= set(writable)
    assert production_paths["STATIC_ROOT"] == APP_DIR / "var" / "staticfiles"


def test_every_path_the_settings_write_is_on_a_named_volume_shared_by_web_and_worker(compose, production_paths):
    # given the named volumes mounted in web and in worker
    web, worker = _named_volume_mounts(compose, "web"), _named_volume_mounts(compose, "worker")
    # then every path the production settings write to (uploads, the worker's exports that web
    # streams) is on a named volume, the same one in both, so it survives a container and both see it
    for name, path in _writable(production_paths).items():
        web_mount = [t for t in web if path.is_relative_to(t)]
        assert web_mount, f"{name} ({path}) is on no named volume of web"
        target = max(web_mount, key=len)
        assert worker.get(target) == web[target], f"{name} ({path}): web and worker do not share {web[target]}"


def test_the_image_makes_each_mount_point_for_the_app_user(compose):
    # given the Dockerfile's mkdir before `chown -R app:app var`
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    made = set(re.search(r"mkdir -p ([^\\&]+)", dockerfile).group(1).split())
    assert "chown -R app:app var" in dockerfile
    # then each volume of web and worker under /app is made in the image (owned by app), so a new
    # named volume starts owned by app and the app (not root) can write to it
    for service in ("web", "worker"):
        for target in _named_volume_mounts(compose, service):
            assert str(PurePosixPath(target).relative_to(APP_DIR)) in made, target


def test_collectstatic_runs_at_build(compose):
    # given the Dockerfile: static files are built into the image, so STATIC_ROOT needs no volume
    dockerfile = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    assert "manage.py collectstatic --noinput" in dockerfile


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
