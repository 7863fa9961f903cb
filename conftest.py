"""Suite-wide fixtures. Tests run against PostgreSQL and Redis (see Makefile `test`); the few
marked ``sqlite`` run on the `make run` SQLite database in a child run (see the block below)."""

import importlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.models.signals import post_migrate
from django.utils import translation
from playwright.sync_api import sync_playwright

from callcenter.celery import app as celery_app
from callcenter.models import Department, Employee, Team, User, pinyin_initials
from callcenter.roles import Role
from callcenter.storage_locations import storage_from_url
from callcenter.tests import factories as f
from callcenter.tests.sshd import sftp_server_start
from datasecurity.selectors import TWOFA_SESSION_KEY
from datasecurity.services import audit_db_roles_apply


def pytest_configure(config):
    # The suite asserts PostgreSQL behaviour (triggers, row locks): refuse to run silently elsewhere.
    engine = settings.DATABASES["default"]["ENGINE"]
    if SQLITE_CHILD:
        _sqlite_child_configure(config)
    elif engine != "django.db.backends.postgresql":
        raise pytest.UsageError(f"The test suite needs PostgreSQL (DATABASE_URL); got {engine}. Run `make test`.")
    os.makedirs(settings.BASE_DIR / "test-artifacts", exist_ok=True)
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)  # whitenoise warns when it is missing


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_eager():
    """Tasks run in this process and their exceptions propagate. Set on the Celery app itself:
    it reads ``CELERY_TASK_ALWAYS_EAGER`` once, so overriding the setting later has no effect
    (with REDIS_URL set, ``.delay`` would go to the broker and no worker would run it)."""

    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (zh-hans): a request of an earlier test
    leaves its reader's language active in the thread (the middleware activates it), and the
    order of tests differs between runs (two processes)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _reset_axes_cache():
    cache.clear()
    yield


# --- Two-factor login (SEC-2) in the suite ------------------------------------------------------------
# Production is strict: administrators and the roles the TwoFactorPolicy lists (HR, auditors, company
# leaders, the complaint team by default) give a code after the password, or set 2FA up first. The
# suite's other tests are about other features and sign their HR, auditor or administrator in with
# `client.force_login` or the login form: for them, every sign-in counts as having passed the second
# step (the session records it, as the code page does after a right code). Only this receiver, connected
# for the test's duration, does that; nothing in the product does. Tests marked `twofa`
# (datasecurity/tests/test_twofa_*.py) get the real thing: the session must pass the code or the set-up.
def _twofa_passed_at_sign_in(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        request.session[TWOFA_SESSION_KEY] = f"verified:{user.pk}"


_TWOFA_RECEIVER = "tests.twofa_passed_at_sign_in"


@pytest.fixture(scope="session", autouse=True)
def _twofa_second_step_passed():
    # Session-wide: module- and session-scoped fixtures sign people in too (the API schema's).
    user_logged_in.connect(_twofa_passed_at_sign_in, dispatch_uid=_TWOFA_RECEIVER)
    yield
    user_logged_in.disconnect(dispatch_uid=_TWOFA_RECEIVER)


@pytest.fixture(autouse=True)
def _twofa_real_gate(request):
    if not request.node.get_closest_marker("twofa"):
        yield
        return
    user_logged_in.disconnect(dispatch_uid=_TWOFA_RECEIVER)
    yield
    user_logged_in.connect(_twofa_passed_at_sign_in, dispatch_uid=_TWOFA_RECEIVER)


@pytest.fixture
def org(db):
    """A small org with every role and reporting line.

    Department A (manager ``manager``, leader in charge ``leader``) has teams A1 (supervisor
    ``supervisor``; members ``agent``, ``peer``) and A2 (member ``other_team``). Department B has
    team B1 (member ``other_dept``). ``hr``, ``handler`` (complaints) and ``auditor`` sit in B.
    Every login's password is ``factories.TEST_PASSWORD``.
    """

    # The same rows the factories make one by one (~100 queries), written in bulk (~15): most tests
    # take this fixture, and its queries were most of what a typical API test sent the database.
    dept_a, dept_b = Department.objects.bulk_create(
        [f.DepartmentFactory.build(code="A", name="客服一部"), f.DepartmentFactory.build(code="B", name="客服二部")]
    )
    a1, a2, b1 = Team.objects.bulk_create(
        [
            f.TeamFactory.build(department=dept_a, code="A1", name="一组"),
            f.TeamFactory.build(department=dept_a, code="A2", name="二组"),
            f.TeamFactory.build(department=dept_b, code="B1", name="三组"),
        ]
    )
    people = (  # attribute, team, role, name
        ("agent", a1, Role.AGENT, "张伟"),
        ("peer", a1, Role.AGENT, "王芳"),
        ("supervisor", a1, Role.SUPERVISOR, "李娜"),
        ("other_team", a2, Role.AGENT, "刘洋"),
        ("manager", a1, Role.DEPARTMENT_MANAGER, "陈静"),
        ("leader", a1, Role.COMPANY_LEADER, "杨磊"),
        ("other_dept", b1, Role.AGENT, "赵敏"),
        ("hr", b1, Role.HR, "黄丽"),
        ("handler", b1, Role.COMPLAINT_HANDLER, "周强"),
        ("auditor", b1, Role.SECURITY_AUDITOR, "吴婷"),
    )
    users = User.objects.bulk_create([f.UserFactory.build(username=username) for username, *_ in people])
    groups = {group.name: group for group in Group.objects.filter(name__in={role for _, _, role, _ in people})}
    for role in {role for _, _, role, _ in people} - groups.keys():  # a flush empties them too
        groups[role] = Group.objects.create(name=role)
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user=user, group=groups[role])
            for user, (_, _, role, _) in zip(users, people, strict=True)
        ]
    )
    position = f.PositionFactory()
    employees = [
        f.EmployeeFactory.build(user=user, team=team, department=team.department, position=position, name=name)
        for user, (_, team, _, name) in zip(users, people, strict=True)
    ]
    for employee in employees:  # what Employee.save() keeps; bulk_create does not call it
        employee.name_initials = pinyin_initials(employee.name)
    Employee.objects.bulk_create(employees)
    ns = SimpleNamespace(dept_a=dept_a, dept_b=dept_b, a1=a1, a2=a2, b1=b1)
    for employee, (attribute, *_) in zip(employees, people, strict=True):
        setattr(ns, attribute, employee)
    a1.supervisor = ns.supervisor
    a1.save(update_fields=["supervisor"])
    dept_a.manager = ns.manager
    dept_a.leader_in_charge = ns.leader
    dept_a.save(update_fields=["manager", "leader_in_charge"])
    return ns


@pytest.fixture
def trainer(org):
    """An in-house trainer (the ``trainer`` role, TRN-2) in department B, team B1: ``孙丽``, login
    ``trainer``. Kept out of ``org`` so the role matrices written before training stay as they are;
    training's own matrices take both."""
    user = f.UserFactory(username="trainer")
    user.groups.add(Group.objects.get_or_create(name=Role.TRAINER)[0])
    employee = f.EmployeeFactory(
        user=user, team=org.b1, department=org.dept_b, position=org.agent.position, name="孙丽"
    )
    org.trainer = employee
    return employee


# --- Reference data after a flush ------------------------------------------------------------------
# Data migrations install reference rows: the role groups, the leave types, the complaint
# categories, the default appraisal indicators. A transactional test ends with a flush that empties
# every table, after which Django sends post_migrate: the same installers run again here, so a test
# that comes after it finds what a fresh database has, in any order (`make test` runs the modules
# on two processes, and a process may run a transactional module before the others).
REFERENCE_DATA_INSTALLERS = (
    ("callcenter.migrations.0002_role_groups", "create_groups"),
    ("callcenter.migrations.0011_trainer_group", "create_group"),
    ("attendance.migrations.0003_leave", "install_leave_types"),
    ("complaints.migrations.0002_categories_timeline_append_only", "install_categories"),
    ("performance.migrations.0002_setup_default_indicators", "install"),
    ("performance.migrations.0007_indicator_description_en", "split_default_descriptions"),
)


def _reference_data_install(sender, **kwargs):
    if sender.label != "callcenter":  # once per migrate or flush, not once per app
        return
    for module, function in REFERENCE_DATA_INSTALLERS:
        getattr(importlib.import_module(module), function)(django_apps, None)


post_migrate.connect(_reference_data_install, dispatch_uid="callcenter-tests-reference-data")


# --- The flush after a transactional test: DELETE, not TRUNCATE -----------------------------------
# Django empties the test database with one TRUNCATE of every table (~130): PostgreSQL gives each a
# new file, ~2.5 s a flush, and the suite flushes after every transactional test (browser, live
# server, concurrency: ~50 of them, two minutes). The tables hold a test's few rows, which DELETE
# removes in milliseconds. ``session_replication_role = replica`` (superusers only, the test
# connection is one; SET LOCAL: this transaction only) turns off the foreign-key and append-only
# triggers for the flush, as the test-only ``callcenter.allow_truncate`` does for TRUNCATE; the
# production roles and triggers are untouched, and datasecurity's tests of them say TRUNCATE
# themselves. Sequences go on (as Django's TRUNCATE without reset_sequences); a flush that asks
# to reset them, or a connection that is not a superuser's, takes Django's way.
_django_pg_sql_flush = PostgresOperations.sql_flush


def _pg_sql_flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or not _is_superuser(self.connection):
        return _django_pg_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica"] + [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
    ]


def _is_superuser(db_connection) -> bool:
    if not hasattr(db_connection, "_callcenter_tests_superuser"):
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        db_connection._callcenter_tests_superuser = bool(row and row[0])
    return db_connection._callcenter_tests_superuser


PostgresOperations.sql_flush = _pg_sql_flush_by_delete


# --- Audit trail: the production database roles, and a checkpoint directory per test ----------

# Stands for the role the application connects as in production (tests connect as a superuser).
AUDIT_TEST_APP_ROLE = "callcenter_test_app"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The audit trail's database roles on the test database, as an operator sets them up in
    production (docs/operations.md, ``manage.py audit_db_roles``; PostgreSQL only): the audit
    table belongs to ``callcenter_audit_owner``, and ``callcenter_test_app`` gets what the
    application's role has there (every other table, as their owner) but may only read and append
    audit events. The migrations ran before, on a database without the set-up. Roles are
    cluster-wide: made once (other test databases may share them), never dropped.
    ``datasecurity/tests/test_audit_db_roles.py`` proves the rule with ``SET LOCAL ROLE``."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    DO $$ BEGIN
                        CREATE ROLE {AUDIT_TEST_APP_ROLE} NOLOGIN;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                    END $$;
                    GRANT USAGE, CREATE ON SCHEMA public TO {AUDIT_TEST_APP_ROLE};
                    GRANT ALL ON ALL TABLES IN SCHEMA public TO {AUDIT_TEST_APP_ROLE};
                    GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {AUDIT_TEST_APP_ROLE};
                    """
                )
            audit_db_roles_apply(app_role=AUDIT_TEST_APP_ROLE)


@pytest.fixture(autouse=True)
def _audit_checkpoint_dir(settings, tmp_path_factory):
    """Each test its own checkpoint directory (made when a checkpoint is written): a checkpoint
    of another test, or of ``make run``, is never compared with this test's chain."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.getbasetemp() / "audit-checkpoints" / secrets.token_hex(8)


# --- Backup locations (SEC-1) ---------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _backup_locations(settings, tmp_path_factory):
    """Each test its own two backup directories: a backup or archive of another test is never
    listed, pruned or restored by this one. ``sftp_remote`` makes the remote a real SFTP server."""
    root = tmp_path_factory.getbasetemp() / "backups" / secrets.token_hex(8)
    settings.STORAGES = {
        **settings.STORAGES,
        "backup_local": storage_from_url(str(root / "local")),
        "backup_remote": storage_from_url(str(root / "remote")),
    }


@pytest.fixture(scope="session")
def sftp_server(tmp_path_factory):
    """Debian's sshd on 127.0.0.1 (callcenter/tests/sshd.py), one per test process."""
    server = sftp_server_start(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def sftp_remote(settings, sftp_server):
    """The test's remote backup location on the SFTP server (its own directory there); returns
    the location's URL."""
    url = sftp_server.url(sftp_server.files_root / secrets.token_hex(8))
    settings.BACKUP_REMOTE_URL = url
    settings.STORAGES = {**settings.STORAGES, "backup_remote": storage_from_url(url)}
    return url


# --- Chromium (browser tests): one per test process ----------------------------------------------
# Debian's package, driven by Playwright (never `playwright install`). Started once per process
# and shared by the browser modules (their ``browser`` fixtures hand it on): starting Playwright's
# driver and Chromium cost ~3 s a module, a dozen modules. Each test opens its own context (its
# own cookies and storage) and closes it.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test bodies
    # happen outside it, but Django cannot tell, so allow them (the suite has no async code).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- SQLite: tests of the `make run` database (marker ``sqlite``) ---------------------------------------
# The suite runs on PostgreSQL. A test marked ``sqlite`` checks the SQLite configuration instead
# (concurrent writers, SQLite's integer range). The PostgreSQL run hands all such tests, in one
# batch, to a child pytest (one per run, started in the background when collection ends, see
# _sqlite_child_start) with the `make run` settings (DJANGO_ENV=development, a
# temporary SQLite file, no Redis, eager Celery) and reports each one's outcome as its own. In the
# child (CALLCENTER_SQLITE_CHILD set) only the marked tests run, on a real test database file, and
# their database fixture is ``sqlite_db`` (committed transactions: two threads' connections see
# each other's writes). `pytest -m sqlite` runs just them.

SQLITE_CHILD_ENV = "CALLCENTER_SQLITE_CHILD"  # the child's results file
SQLITE_CHILD = os.environ.get(SQLITE_CHILD_ENV, "")
SQLITE_CHILD_TIMEOUT = 1200


def _sqlite_child_configure(config):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        raise pytest.UsageError(f"{SQLITE_CHILD_ENV} is set: the child run needs SQLite, got {database['ENGINE']}.")
    # A file, not SQLite's in-memory test database: the tests open several real connections to it.
    database.setdefault("TEST", {})["NAME"] = str(Path(database["NAME"]).with_name("test.sqlite3"))


_SQLITE_CHILD_RESULTS: dict = {}  # in the child: node id -> {"outcome", "text"}
_SQLITE_BATCH = pytest.StashKey[dict]()
_SQLITE_THREAD = pytest.StashKey[threading.Thread | None]()


class SqliteProxy(pytest.Item):
    """Stands in the PostgreSQL run for a test marked ``sqlite``: its outcome is the child's."""

    def runtest(self):
        result = _sqlite_batch(self.session).get(self.nodeid)
        if result is None:
            pytest.fail(f"the SQLite child run did not report {self.nodeid}", pytrace=False)
        if result["outcome"] == "skipped":
            pytest.skip(result["text"])
        if result["outcome"] != "passed":
            pytest.fail(f"on SQLite (the `make run` database):\n{result['text']}", pytrace=False)

    def reportinfo(self):
        return self.path, None, f"{self.name} [SQLite child run]"


def _sqlite_batch(session) -> dict:
    """The outcomes, by node id, of the one child run of every selected ``sqlite`` test."""
    if _SQLITE_BATCH not in session.config.stash:
        results_file = _sqlite_child_start(session) / "results.json"
        deadline = time.monotonic() + SQLITE_CHILD_TIMEOUT + 60
        while not results_file.exists():
            if time.monotonic() > deadline:
                pytest.fail("the SQLite child run did not finish", pytrace=False)
            time.sleep(0.2)
        session.config.stash[_SQLITE_BATCH] = json.loads(results_file.read_text())
    return session.config.stash[_SQLITE_BATCH]


def _sqlite_child_start(session) -> Path:
    """Start the child run, in the background, unless another process of this run has: its
    directory, shared by the processes of a parallel run (pytest-xdist), is made by the first one,
    which runs the child while it runs its own tests and writes the outcomes there. Started when
    collection ends, the child (a minute: SQLite migrations, a seeded demo) works beside the
    PostgreSQL tests instead of holding up the process that reaches a ``sqlite`` test, and it runs
    once, not once per process (both processes used to reach one). Returns the directory."""
    basetemp = session.config._tmp_path_factory.getbasetemp()
    shared = (basetemp.parent if hasattr(session.config, "workerinput") else basetemp) / "sqlite-child"
    if _SQLITE_THREAD in session.config.stash:
        return shared
    try:
        shared.mkdir()
    except FileExistsError:
        session.config.stash[_SQLITE_THREAD] = None  # another process runs it
        return shared
    nodeids = [item.nodeid for item in session.items if isinstance(item, SqliteProxy)]
    thread = threading.Thread(target=_sqlite_child_run, args=(session.config.rootpath, nodeids, shared), daemon=True)
    thread.start()
    session.config.stash[_SQLITE_THREAD] = thread
    return shared


def _sqlite_child_run(rootpath, nodeids: list[str], shared: Path):
    results, output = {}, ""
    try:
        with tempfile.TemporaryDirectory(prefix="callcenter-sqlite-") as tmp:
            results_file = Path(tmp) / "results.json"
            env = {  # not a worker of the parent's parallel run (pytest-xdist), nor its services
                key: value
                for key, value in os.environ.items()
                if key not in ("REDIS_URL", "DATABASE_URL") and not key.startswith("PYTEST_XDIST")
            }
            env |= {  # the `make run` configuration (Makefile RUN_ENV), on a file of its own
                "DJANGO_ENV": "development",
                "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
                "CELERY_TASK_ALWAYS_EAGER": "true",
                SQLITE_CHILD_ENV: str(results_file),
            }
            child = subprocess.run(  # noqa: S603 - our own interpreter, pytest and node ids
                [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--no-header", *nodeids],
                cwd=rootpath,
                env=env,
                capture_output=True,
                text=True,
                timeout=SQLITE_CHILD_TIMEOUT,
                check=False,
            )
            output = child.stdout[-5000:] + child.stderr[-5000:]
            results = json.loads(results_file.read_text()) if results_file.exists() else {}
    except Exception as error:  # noqa: BLE001 - any failure becomes every test's failure text
        output += f"\n{type(error).__name__}: {error}"
    if not results:
        results = {nodeid: {"outcome": "failed", "text": output} for nodeid in nodeids}
    partial = shared / "results.json.partial"
    partial.write_text(json.dumps(results))
    partial.replace(shared / "results.json")  # whole, for the processes that poll for it


def pytest_collection_finish(session):
    if not SQLITE_CHILD and any(isinstance(item, SqliteProxy) for item in session.items):
        _sqlite_child_start(session)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    # After every other plugin's ordering (pytest-django puts transactional tests last: the
    # reference data they flush comes back by post_migrate here, so any order works).
    result = yield
    if SQLITE_CHILD:
        deselected = [item for item in items if not item.get_closest_marker("sqlite")]
        items[:] = [item for item in items if item.get_closest_marker("sqlite")]
        config.hook.pytest_deselected(items=deselected)
        return result
    for i, item in enumerate(items):
        if item.get_closest_marker("sqlite"):
            proxy = SqliteProxy.from_parent(item.parent, name=item.name)
            proxy.own_markers.extend(item.own_markers)
            proxy.keywords.update({mark.name: mark for mark in item.own_markers})
            items[i] = proxy
    # The longest modules first: `make test` hands whole modules to its two processes in this
    # order, so a long one started last would leave one process working alone at the end.
    items.sort(key=lambda item: not any(item.nodeid.startswith(prefix) for prefix in LONG_MODULES))
    return result


# Modules of a minute or more (a browser, a walk of every route, a child run on SQLite).
LONG_MODULES = ("tests/test_edge_inputs.py", "tests/test_browser", "tests/test_csrf", "tests/test_api_schema.py")


def pytest_runtest_logreport(report):
    if not SQLITE_CHILD:
        return
    current = _SQLITE_CHILD_RESULTS.setdefault(report.nodeid, {"outcome": "passed", "text": ""})
    if report.failed or (report.skipped and current["outcome"] == "passed"):
        current.update(outcome="failed" if report.failed else "skipped", text=report.longreprtext[-20000:])


def pytest_sessionfinish(session):
    if SQLITE_CHILD:
        Path(SQLITE_CHILD).write_text(json.dumps(_SQLITE_CHILD_RESULTS))
    elif thread := session.config.stash.get(_SQLITE_THREAD, None):
        thread.join()  # the other process may still wait for the outcomes


@pytest.fixture
def sqlite_db(transactional_db):
    """The database of a ``sqlite`` test: the child run's SQLite test file, committed transactions."""
    if not SQLITE_CHILD:
        pytest.fail("sqlite_db is for tests marked sqlite (they run in the SQLite child run)")
