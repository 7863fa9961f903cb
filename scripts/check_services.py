"""Check that PostgreSQL and Redis answer before the test suite runs (`make check-services`).

Reads DATABASE_URL and REDIS_URL. A service that does not answer is started when that is
possible here (root on a Debian machine with the service installed, URL on localhost); one that
still does not answer after ~20 s fails the run with a message saying how to start it. The suite
never skips for a missing service: a green run means every test ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from urllib.parse import SplitResult, urlsplit

import psycopg
import redis
from psycopg.conninfo import make_conninfo

START_TIMEOUT_S = 20.0
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}

POSTGRES_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
REDIS_START_ARGS = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
# Compose interpolates the whole file, so the app's required variables need (unused) values too.
COMPOSE_START = (
    "DJANGO_SECRET_KEY=unused DJANGO_ALLOWED_HOSTS=localhost POSTGRES_USER=postgres "
    "POSTGRES_PASSWORD=postgres docker compose up -d postgres redis\n"
    "then: make test TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/callcenter"
)


def redact(url: str) -> str:
    """The URL without its password, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return SplitResult(parts.scheme, netloc, parts.path, parts.query, parts.fragment).geturl()


def is_local(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    return (parts.hostname or "") in LOCAL_HOSTS and (parts.port or default_port) == default_port


def can_start_here(command: str) -> bool:
    return os.geteuid() == 0 and os.path.exists("/etc/debian_version") and shutil.which(command) is not None


# --- PostgreSQL ---------------------------------------------------------------------------


def libpq_url(database_url: str) -> str:
    """django-environ also accepts pgsql:// and postgis://; libpq knows postgres(ql):// only."""
    scheme, sep, rest = database_url.partition("://")
    return f"postgresql://{rest}" if sep and scheme in {"postgres", "postgresql", "pgsql", "postgis"} else database_url


def postgres_error(database_url: str) -> str | None:
    """None when the server answers; the error otherwise.

    The target database may not exist yet (pytest-django creates test_<name> from the server's
    maintenance database), so "database does not exist" is retried on ``postgres``.
    """

    url = libpq_url(database_url)
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            return str(exc).strip()
    try:
        with psycopg.connect(make_conninfo(url, dbname="postgres"), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as exc:
        return str(exc).strip()


def start_postgres() -> str:
    output = ""
    for version in sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []:
        done = subprocess.run(  # noqa: S603 - fixed command, version from /etc/postgresql
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],  # noqa: S607
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        output += done.stdout + done.stderr
    return output


# --- Redis --------------------------------------------------------------------------------


def redis_error(redis_url: str) -> str | None:
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
        return None
    except redis.RedisError as exc:
        return f"{type(exc).__name__}: {exc}"


def start_redis() -> str:
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    done = subprocess.run(REDIS_START_ARGS, check=False, capture_output=True, text=True, timeout=30)  # noqa: S603
    return done.stdout + done.stderr


# --- Main ---------------------------------------------------------------------------------


def wait_for(check, url: str) -> str | None:
    deadline = time.monotonic() + START_TIMEOUT_S
    error = check(url)
    while error and time.monotonic() < deadline:
        time.sleep(0.5)
        error = check(url)
    return error


def ensure(name: str, url: str, check, start, start_command: str, start_hint: str, default_port: int) -> bool:
    error = check(url)
    if error is None:
        return True
    if is_local(url, default_port) and can_start_here(start_command):
        print(f"-- {name} does not answer at {redact(url)}; starting it ...", flush=True)
        try:
            output = start()
        except (OSError, subprocess.SubprocessError) as exc:
            output = f"{type(exc).__name__}: {exc}"
        error = wait_for(check, url)
        if error is None:
            print(f"-- {name} started.", flush=True)
            return True
        if output.strip():
            error += f"\n(tried to start it here: {output.strip()})"
    bar = "!" * 100
    print(
        f"\n{bar}\n"
        f"!! {name} IS NOT REACHABLE at {redact(url)}\n"
        f"!!   {error.replace(chr(10), chr(10) + '!!   ')}\n"
        f"!! The test suite needs it and never skips. Start it, then run `make test` again:\n"
        f"!!   on this machine (Debian, as root):\n"
        f"!!     {start_hint}\n"
        f"!!   elsewhere (Docker):\n"
        f"!!     {COMPOSE_START.replace(chr(10), chr(10) + '!!     ')}\n"
        f"{bar}\n",
        file=sys.stderr,
        flush=True,
    )
    return False


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    missing = [name for name, value in (("DATABASE_URL", database_url), ("REDIS_URL", redis_url)) if not value]
    if missing:
        print(f"!! {' and '.join(missing)} not set: run `make check-services` or `make test`.", file=sys.stderr)
        return 1
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://", "postgis://")):
        print(f"!! DATABASE_URL must point at PostgreSQL for the tests; got {redact(database_url)}", file=sys.stderr)
        return 1
    ok = ensure("PostgreSQL", database_url, postgres_error, start_postgres, "pg_ctlcluster", POSTGRES_START, 5432)
    ok = ensure("Redis", redis_url, redis_error, start_redis, "redis-server", REDIS_START, 6379) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
