"""``seed_demo``, ``demo_logins`` and ``bench``: the demo call center and its benchmark."""

import os
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from callcenter import demo
from callcenter.demo import org as demo_org
from callcenter.models import Department, Employee, EmploymentStatus, Position, Team, User
from callcenter.roles import Role
from callcenter.selectors import approval_chain
from datasecurity.models import AuditEvent
from datasecurity.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "agent": Role.AGENT,
    "supervisor": Role.SUPERVISOR,
    "manager": Role.DEPARTMENT_MANAGER,
    "leader": Role.COMPANY_LEADER,
    "hr": Role.HR,
    "complaints": Role.COMPLAINT_HANDLER,
    "auditor": Role.SECURITY_AUDITOR,
    "trainer": Role.TRAINER,
}


def seed(**options) -> str:
    """The org only, unless a test asks for ``months`` (module histories: attendance/tests)."""
    options.setdefault("months", 0)
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict:
    return {
        "users": User.objects.count(),
        "employees": Employee.objects.count(),
        "departments": Department.objects.count(),
        "teams": Team.objects.count(),
        "positions": Position.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def test_default_seed_is_a_small_realistic_call_center():
    # given an empty database
    # when the demo is seeded with the defaults
    output = seed()
    # then there are 2 departments of 3 teams and 60 employees on the nine posts
    assert Department.objects.count() == 2
    assert Team.objects.count() == 6
    assert list(Department.objects.values_list("name", flat=True)) == ["呼入服务部", "呼出营销部"]
    for department in Department.objects.all():
        assert department.teams.count() == 3
    assert Employee.objects.count() == 60
    assert set(Position.objects.values_list("name", flat=True)) == {p.name for p in demo_org.POSITIONS}
    # and pay is money with two places, never negative
    for employee in Employee.objects.all():
        assert isinstance(employee.monthly_base_pay, Decimal)
        assert employee.monthly_base_pay.as_tuple().exponent == -2
        assert employee.bonus_base.as_tuple().exponent == -2
        assert employee.monthly_base_pay > employee.bonus_base > 0
        assert employee.first_employed_on <= employee.hire_date <= timezone.localdate()
    # and cumulative working years reach every annual-leave tier (LV-3: <10, 10-<20, >=20)
    today = timezone.localdate()
    years = [(today - e.first_employed_on).days / 365.25 for e in Employee.objects.all()]
    assert any(y < 10 for y in years)
    assert any(10 <= y < 20 for y in years)
    assert any(y >= 20 for y in years)
    # and a few people have left: kept, deactivated (GEN-1)
    leavers = Employee.objects.filter(status=EmploymentStatus.LEFT).select_related("user")
    assert 1 <= leavers.count() <= 6
    for leaver in leavers:
        assert leaver.left_on is not None
        assert leaver.hire_date <= leaver.left_on <= today
        assert leaver.user.is_active is False
    # and the command reports its counts and timing
    assert "Seeded 60 employees" in output
    if not demo.demo_seeders():
        assert "No per-month demo data registered yet" in output


def test_every_role_has_a_demo_login_that_authenticates():
    # given the seeded demo
    seed()
    request = RequestFactory().post("/accounts/login/")
    for username, role in DEMO_ROLES.items():
        # when each demo login signs in with DEMO_PASSWORD
        user = authenticate(request=request, username=username, password=settings.DEMO_PASSWORD)
        # then it works, holds its role, and skips the forced first password change
        assert user is not None, username
        assert user.groups.filter(name=role).exists(), username
        assert user.must_change_password is False
        assert user.password_changed_at is not None
        assert user.employee.status == EmploymentStatus.ACTIVE
    admin = authenticate(request=request, username="admin", password=settings.DEMO_PASSWORD)
    assert admin is not None
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.must_change_password is False
    # and generated people share the password but must choose their own at first login
    generated = User.objects.exclude(username__in=demo_org.DEMO_USERNAMES).filter(is_active=True).first()
    assert generated.check_password(settings.DEMO_PASSWORD)
    assert generated.must_change_password is True


def test_reporting_lines_connect_the_demo_logins():
    # given the seeded demo
    seed()
    agent = Employee.objects.select_related("team__supervisor__user", "department").get(user__username="agent")
    # then the agent's team is supervised by `supervisor`, their department managed by `manager`,
    # and `leader` is in charge of it (LV-4 approval chain)
    assert agent.team.supervisor.user.username == "supervisor"
    assert agent.department.manager.user.username == "manager"
    assert agent.department.leader_in_charge.user.username == "leader"
    chain = [(role, person.user.username) for role, person in approval_chain(agent)]
    assert chain == [
        (Role.SUPERVISOR, "supervisor"),
        (Role.DEPARTMENT_MANAGER, "manager"),
        (Role.COMPANY_LEADER, "leader"),
    ]
    # and every team and department has its reporting lines
    assert not Team.objects.filter(supervisor__isnull=True).exists()
    assert not Department.objects.filter(manager__isnull=True).exists()
    assert not Department.objects.filter(leader_in_charge__isnull=True).exists()
    for team in Team.objects.select_related("supervisor"):
        assert team.supervisor.team_id == team.pk
        assert team.supervisor.department_id == team.department_id


def test_if_empty_second_run_changes_nothing():
    # given a seeded database
    seed()
    before = counts()
    # when `make run` seeds again with --if-empty
    output = seed(if_empty=True)
    # then nothing changes and the command says why
    assert counts() == before
    assert "left the database as it is" in output


def test_seed_refuses_a_database_with_employees_unless_appending():
    # given a seeded database
    seed()
    # when seeded again without --if-empty, then it refuses
    with translation.override("en"), pytest.raises(CommandError, match="already exist"):
        seed()
    # when seeded with --append, then a new slice joins, demo logins untouched
    seed(employees=40, append=True)
    assert Employee.objects.count() == 100
    assert Department.objects.count() == 4
    assert User.objects.filter(username="agent").count() == 1


def _seed_queries_rolled_back(n: int) -> tuple[int, int]:
    """Queries of one seed of ``n`` employees, rolled back afterwards; and the employees made."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            seed(employees=n)
        made = Employee.objects.count()
        transaction.set_rollback(True)
    return len(captured), made


def test_seed_query_count_does_not_grow_with_employees():
    # given an empty database
    # when 100 and then 300 employees are seeded (each rolled back)
    small_queries, small = _seed_queries_rolled_back(100)
    large_queries, large = _seed_queries_rolled_back(300)
    # then both worked, and the query count is the same give or take a constant
    assert (small, large) == (100, 300)
    assert abs(large_queries - small_queries) <= 2, (small_queries, large_queries)


def test_larger_seed_scales_teams_and_departments():
    # given an empty database
    # when 300 employees are seeded
    seed(employees=300)
    # then teams grow to ~15-20 agents each, with two or more departments
    assert Employee.objects.count() == 300
    assert Department.objects.count() >= 2
    teams = Team.objects.count()
    assert teams > 6
    agents = Employee.objects.filter(position__code__in=["AGENT", "SENIOR_AGENT"]).count()
    assert 12 <= agents / teams <= 20


def test_each_run_writes_one_summary_audit_event_and_the_chain_holds():
    # given an empty database
    # when the demo is seeded
    seed()
    # then exactly one demo.seed event summarises it, and the audit chain verifies
    events = AuditEvent.objects.filter(action="demo.seed")
    assert events.count() == 1
    event = events.get()
    assert event.object_type == "callcenter.employee"
    assert event.changes["employees"] == 60
    assert event.changes["departments"] == 2
    assert AuditEvent.objects.filter(object_type="callcenter.employee").count() == 1  # no per-row events
    assert audit_chain_verify().ok
    # when another slice is appended, then one more event
    seed(employees=30, append=True)
    assert AuditEvent.objects.filter(action="demo.seed").count() == 2
    assert audit_chain_verify().ok


def _names_rolled_back(**options) -> list[str]:
    with transaction.atomic():
        seed(**options)
        names = list(Employee.objects.order_by("employee_no").values_list("name", "hire_date", "monthly_base_pay"))
        transaction.set_rollback(True)
    return names


def test_seed_is_reproducible():
    # given the same seed twice, then the same people; given another seed, other people
    first = _names_rolled_back(seed=7)
    again = _names_rolled_back(seed=7)
    other = _names_rolled_back(seed=8)
    assert first == again
    assert first != other


def test_registered_seeders_get_the_new_employees_and_the_months(monkeypatch):
    # given a module's demo seeder (attendance, performance... register theirs like this)
    calls = []

    def punches(rng, employees, months, stdout):
        calls.append((len(employees), months, employees[0].position.code))
        return {"punches": len(employees) * months}

    demo.demo_seeders()  # import every app's demo module first, so only ours is registered below
    monkeypatch.setattr(demo, "DEMO_SEEDERS", [])
    demo.register_demo_seeder(punches)
    # when the demo is seeded with 2 months of history
    output = seed(months=2)
    # then the seeder ran once with the employees and the months, and its counts are reported
    assert calls == [(60, 2, "VP")]
    assert "punches=120" in output
    event = AuditEvent.objects.get(action="demo.seed")
    assert list(event.changes["seeders"].values()) == [{"punches": 120}]


def test_demo_logins_prints_one_row_per_role():
    # given the seeded demo
    seed()
    out = StringIO()
    # when the logins are listed
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    # then every demo username, the password and the URL are there
    assert "http://127.0.0.1:8000" in text
    assert settings.DEMO_PASSWORD in text
    for username in [*DEMO_ROLES, "admin"]:
        assert f"| {username} " in text
    assert "Team supervisor" in text


def test_bench_foundation_runs_end_to_end():
    # given an empty database
    out = StringIO()
    # when the foundation benchmark runs on a small size
    call_command("bench", "foundation", employees=200, months=0, repeat=2, audit_events=20, stdout=out)
    text = out.getvalue()
    # then it seeded its own data and printed a markdown table of every measurement
    assert Employee.objects.count() == 200
    assert "| Benchmark | Result | Median (ms) | Queries | Notes |" in text
    for needle in (
        "employee_list: count + page 1 (25), agent",
        "employee_list: count + page 1 (25), hr",
        "dashboard_get, auditor",
        "policy_in_force",
    ):
        assert needle in text


def test_bench_audit_runs_end_to_end():
    # given a small demo call center
    seed()
    out = StringIO()
    # when the audit benchmark runs (datasecurity's suite, found by the command)
    call_command("bench", "audit", employees=30, repeat=2, audit_events=20, stdout=out)
    text = out.getvalue()
    # then the appends and the verification are measured and the chain still verifies
    for needle in (
        "audit_record × 20, one transaction",
        "audit_record × 20, one transaction each",
        "audit_chain_verify",
    ):
        assert needle in text
    assert "BROKEN" not in text
    assert audit_chain_verify().ok


def test_bench_refuses_production(settings):
    # given a production configuration, when bench runs without --force, then it refuses
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("bench", "foundation", stdout=StringIO())


def test_plan_keeps_supervisors_at_about_seventeen_agents():
    # given the 5,000-employee benchmark size, then ~17 agents per team and ~600 people a department
    plan = demo_org.plan_org(5000)
    assert plan.staff + plan.agents == 5000
    assert 15 <= plan.agents / plan.teams <= 20
    assert plan.departments == 9


# --- `make run`'s console (issue 14) --------------------------------------------------------------------


def test_make_run_console_is_short_and_the_emails_land_where_it_says(
    settings, tmp_path, celery_eager, django_capture_on_commit_callbacks
):
    # given `make run`'s e-mail configuration: files under a directory (development: var/mail/)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # when `make run` seeds the demo (-v 0) and prints the logins
    with django_capture_on_commit_callbacks(execute=True):
        seeded = seed(employees=30, months=1, if_empty=True, verbosity=0)
    logins = StringIO()
    call_command("demo_logins", stdout=logins)
    # then the seed says what it made in two lines, and the logins table says where the e-mails are
    assert len(seeded.splitlines()) == 2, seeded
    assert seeded.startswith("Demo call center seeded in") and "self-evaluation due" in seeded
    lines = logins.getvalue().splitlines()
    assert len(lines) <= len(DEMO_ROLES) + 8, logins.getvalue()
    assert f"written to files in {tmp_path / 'mail'}/" in logins.getvalue()
    # and the e-mails the seed sent are there, not on the console
    files = list((tmp_path / "mail").iterdir())
    assert files and "Subject:" in files[0].read_text()
    assert "Subject:" not in seeded + logins.getvalue()


def test_development_writes_emails_under_var_mail():
    # (pytest-django swaps the backend for its outbox; the configured default is in the settings)
    if "EMAIL_URL" not in os.environ:
        mail_dir = settings.BASE_DIR / "var" / "mail"
        assert Path(settings.EMAIL_FILE_PATH) == mail_dir
    out = StringIO()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"):
        call_command("demo_logins", stdout=out)
    assert "written to files in var/mail/" in out.getvalue()
