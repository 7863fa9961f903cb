"""Suite-wide fixtures. Tests run against PostgreSQL and Redis (see Makefile `test`)."""

import os
import secrets
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from callcenter.celery import app as celery_app
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.services import audit_db_roles_apply


def pytest_configure(config):
    # The suite asserts PostgreSQL behaviour (triggers, row locks): refuse to run silently elsewhere.
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
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
def _reset_axes_cache():
    cache.clear()
    yield


@pytest.fixture
def org(db):
    """A small org with every role and reporting line.

    Department A (manager ``manager``, leader in charge ``leader``) has teams A1 (supervisor
    ``supervisor``; members ``agent``, ``peer``) and A2 (member ``other_team``). Department B has
    team B1 (member ``other_dept``). ``hr``, ``handler`` (complaints) and ``auditor`` sit in B.
    Every login's password is ``factories.TEST_PASSWORD``.
    """

    dept_a = f.DepartmentFactory(code="A", name="客服一部")
    dept_b = f.DepartmentFactory(code="B", name="客服二部")
    a1 = f.TeamFactory(department=dept_a, code="A1", name="一组")
    a2 = f.TeamFactory(department=dept_a, code="A2", name="二组")
    b1 = f.TeamFactory(department=dept_b, code="B1", name="三组")

    def emp(username, team, roles, name):
        user = f.UserFactory(username=username, roles=roles)
        return f.EmployeeFactory(user=user, team=team, department=team.department, name=name)

    ns = SimpleNamespace(dept_a=dept_a, dept_b=dept_b, a1=a1, a2=a2, b1=b1)
    ns.agent = emp("agent", a1, [Role.AGENT], "张伟")
    ns.peer = emp("peer", a1, [Role.AGENT], "王芳")
    ns.supervisor = emp("supervisor", a1, [Role.SUPERVISOR], "李娜")
    ns.other_team = emp("other_team", a2, [Role.AGENT], "刘洋")
    ns.manager = emp("manager", a1, [Role.DEPARTMENT_MANAGER], "陈静")
    ns.leader = emp("leader", a1, [Role.COMPANY_LEADER], "杨磊")
    ns.other_dept = emp("other_dept", b1, [Role.AGENT], "赵敏")
    ns.hr = emp("hr", b1, [Role.HR], "黄丽")
    ns.handler = emp("handler", b1, [Role.COMPLAINT_HANDLER], "周强")
    ns.auditor = emp("auditor", b1, [Role.SECURITY_AUDITOR], "吴婷")
    a1.supervisor = ns.supervisor
    a1.save()
    dept_a.manager = ns.manager
    dept_a.leader_in_charge = ns.leader
    dept_a.save()
    return ns


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
