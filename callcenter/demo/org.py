"""Demo and benchmark data: a realistic call center, generated fast and reproducibly.

``seed_demo`` builds departments, teams, positions (岗位), employees with Chinese names, pay,
hire dates and cumulative working years (so the LV-3 annual-leave tiers vary), a few leavers
(GEN-1: deactivated, never deleted), the reporting lines (LV-4) and one demo login per role.

Why it does not call ``employee_create`` once per person: a benchmark database holds 5,000
employees, and one service call per row means one audit event, one password hash and a dozen
queries per row. Instead users, employees and group memberships are inserted with
``bulk_create`` in batches, the shared demo password is hashed once, and the whole seed writes
ONE summary audit event (``demo.seed``). The query count depends on the number of batches, not
on the number of employees.

Later modules add their per-month volumes through the registry in :mod:`callcenter.demo`.
"""

from __future__ import annotations

import datetime
import io
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.demo import BATCH_SIZE, DEFAULT_SEED, MAX_MONTHS, MIN_EMPLOYEES, demo_seeders
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import Department, Employee, EmploymentStatus, Position, Team, User, pinyin_initials
from callcenter.roles import Role
from callcenter.services import policy_defaults_install
from datasecurity.services import audit_record

__all__ = [
    "AGENTS_PER_TEAM",
    "COMPOUND_SURNAMES",
    "DEMO_LOGINS",
    "DEMO_USERNAMES",
    "DEPARTMENT_NAMES",
    "EMPLOYEES_PER_DEPARTMENT",
    "GIVEN_CHARS",
    "POSITIONS",
    "POSITION_BY_CODE",
    "SURNAMES",
    "DemoLogin",
    "OrgPlan",
    "PositionSpec",
    "SeedResult",
    "analyze_database",
    "chinese_name",
    "cn_number",
    "plan_org",
    "seed_demo",
]


@dataclass(frozen=True)
class PositionSpec:
    code: str
    name: str
    description: str
    role: str
    base_pay: tuple[int, int]  # monthly base pay range, yuan
    bonus_ratio: tuple[float, float]  # bonus base as a share of base pay (PRF-4)
    hired_years_ago: tuple[float, float]
    prior_years: tuple[tuple[int, int, int], ...]  # (weight, min, max) years worked before joining


POSITIONS = [
    PositionSpec(
        "AGENT",
        "话务员",
        "接听/外呼客户电话，解答咨询、受理业务",
        Role.AGENT,
        (4200, 6200),
        (0.20, 0.30),
        (0.1, 6),
        ((55, 0, 0), (33, 1, 9), (9, 10, 19), (3, 20, 26)),
    ),
    PositionSpec(
        "SENIOR_AGENT",
        "高级话务员",
        "处理复杂业务与升级来电，带教新人",
        Role.AGENT,
        (5800, 7800),
        (0.20, 0.30),
        (2, 10),
        ((30, 0, 0), (45, 1, 9), (19, 10, 19), (6, 20, 25)),
    ),
    PositionSpec(
        "QA",
        "质检专员",
        "按服务规范（COC-9..16）抽检通话录音并评分",
        Role.AGENT,
        (6200, 8500),
        (0.15, 0.25),
        (1, 8),
        ((40, 1, 9), (45, 10, 19), (15, 20, 24)),
    ),
    PositionSpec(
        "SUPERVISOR",
        "部门主管",
        "带领团队，排班、考勤核对、一线审批（LV-4）",
        Role.SUPERVISOR,
        (8000, 11000),
        (0.20, 0.30),
        (3, 12),
        ((40, 0, 4), (45, 5, 12), (15, 13, 18)),
    ),
    PositionSpec(
        "DEPT_MANAGER",
        "部门经理",
        "负责部门运营与人员管理，审批（LV-4）",
        Role.DEPARTMENT_MANAGER,
        (13000, 18000),
        (0.25, 0.35),
        (5, 15),
        ((70, 5, 12), (30, 13, 18)),
    ),
    PositionSpec(
        "HR",
        "人力资源专员",
        "员工档案、政策参数、考勤与绩效汇总",
        Role.HR,
        (6500, 9500),
        (0.15, 0.25),
        (1, 10),
        ((40, 0, 4), (45, 5, 12), (15, 13, 20)),
    ),
    PositionSpec(
        "COMPLAINT",
        "投诉专员",
        "受理、调查与回访客户投诉（CMP-1..4）",
        Role.COMPLAINT_HANDLER,
        (6000, 8500),
        (0.15, 0.25),
        (1, 8),
        ((40, 0, 4), (45, 5, 12), (15, 13, 20)),
    ),
    PositionSpec(
        "SEC_AUDITOR",
        "安全审计员",
        "审阅审计日志与数据访问记录（SEC-2）",
        Role.SECURITY_AUDITOR,
        (8000, 12000),
        (0.15, 0.25),
        (1, 6),
        ((50, 2, 9), (50, 10, 16)),
    ),
    # Issue 16 (TRN-2): the in-house trainer who gives sessions, takes attendance and enters scores.
    PositionSpec(
        "TRAINER",
        "培训师",
        "制定并实施培训课程，记录出勤与考核成绩（TRN-1..TRN-3）",
        Role.TRAINER,
        (7000, 10000),
        (0.15, 0.25),
        (1, 8),
        ((40, 1, 9), (45, 10, 16), (15, 17, 22)),
    ),
    PositionSpec(
        "VP",
        "分管副总",
        "公司分管领导，审批长假（LV-4）",
        Role.COMPANY_LEADER,
        (25000, 35000),
        (0.30, 0.40),
        (8, 18),
        ((100, 12, 16),),
    ),
]

POSITION_BY_CODE = {p.code: p for p in POSITIONS}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # Role value; "" for the superuser
    position: str  # Position code; "" for the superuser


# One login per role, fixed usernames (docs, tests and `make run` rely on them).
DEMO_LOGINS = [
    DemoLogin("agent", Role.AGENT, "AGENT"),
    DemoLogin("supervisor", Role.SUPERVISOR, "SUPERVISOR"),
    DemoLogin("manager", Role.DEPARTMENT_MANAGER, "DEPT_MANAGER"),
    DemoLogin("leader", Role.COMPANY_LEADER, "VP"),
    DemoLogin("hr", Role.HR, "HR"),
    DemoLogin("complaints", Role.COMPLAINT_HANDLER, "COMPLAINT"),
    DemoLogin("auditor", Role.SECURITY_AUDITOR, "SEC_AUDITOR"),
    DemoLogin("trainer", Role.TRAINER, "TRAINER"),
    DemoLogin("admin", "", ""),
]

DEMO_USERNAMES = [d.username for d in DEMO_LOGINS]

# Common surnames, most frequent first; the weights follow their rough frequency in China.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方"]

GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华玉萍红玲建国志文斌辉鹏飞宇浩然子涵欣怡梓轩雨萱思远嘉琪"
    "晓东海燕婷雪梅晨阳佳慧俊凯丹亮宁倩颖琳昊天博睿诗雅可馨一诺家豪振宏春秋月波凤兰莉蕾薇瑶嘉铭泽楠晴"
)

DEPARTMENT_NAMES = [
    "呼入服务部",
    "呼出营销部",
    "在线客服部",
    "会员服务部",
    "售后服务部",
    "信用卡服务部",
    "技术支持部",
    "回访调查部",
    "大客户服务部",
    "贵宾服务部",
    "理赔服务部",
    "电话销售部",
]

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (一, 十二, 三十); larger numbers stay Arabic."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _CN_DIGITS[tens] + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def chinese_name(rng: random.Random) -> tuple[str, str]:
    """(surname, given name): 1 in 200 compound surnames, 30% one-character given names."""
    if rng.random() < 0.005:
        surname = rng.choice(COMPOUND_SURNAMES)
    else:
        # Earlier surnames are more common: a triangular draw over the list.
        surname = SURNAMES[int(rng.triangular(0, len(SURNAMES), 0))]
    length = 1 if rng.random() < 0.3 else 2
    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(length))
    return surname, given


@dataclass
class OrgPlan:
    """How many of each post a center of ``employees`` people has."""

    employees: int
    departments: int
    teams: int
    leaders: int
    hr: int
    complaint_handlers: int
    auditors: int
    qa: int
    trainers: int = 1

    @property
    def agents(self) -> int:
        return self.employees - self.staff

    @property
    def staff(self) -> int:
        # Everyone who is not a 话务员/高级话务员: managers and supervisors included.
        return (
            self.leaders
            + self.departments
            + self.teams
            + self.hr
            + self.complaint_handlers
            + self.auditors
            + self.qa
            + self.trainers
        )


AGENTS_PER_TEAM = 17  # one supervisor for ~15-20 agents is the call-center norm

EMPLOYEES_PER_DEPARTMENT = 600


def plan_org(employees: int) -> OrgPlan:
    """2 departments and 6 teams up to ~150 people; then ~17 agents a team, ~600 people a
    department, one company leader in charge of up to 4 departments."""
    if employees < MIN_EMPLOYEES:
        raise ApplicationError(
            _("A demo call center needs at least %(n)d employees.") % {"n": MIN_EMPLOYEES}, code=CoreErrorCode.TOO_SMALL
        )
    departments = max(2, math.ceil(employees / EMPLOYEES_PER_DEPARTMENT))
    plan = OrgPlan(
        employees=employees,
        departments=departments,
        teams=0,
        leaders=math.ceil(departments / 4),
        hr=max(2, employees // 250),
        complaint_handlers=max(2, employees // 200),
        auditors=max(1, employees // 2500),
        qa=max(2, employees // 40),
        trainers=max(1, employees // 500),
    )
    remaining = employees - plan.staff
    plan.teams = max(3 * departments, round(remaining / (AGENTS_PER_TEAM + 1)))
    return plan


@dataclass
class _Person:
    position: str
    department: int  # index into the run's departments
    team: int | None  # index into the run's teams
    login: str = ""  # demo username, if this person is a demo login
    leads: list[int] = field(default_factory=list)  # department indexes (company leader)


def _people(plan: OrgPlan, team_department: list[int], demo_free: set[str]) -> list[_Person]:
    """Who works where, in employee-number order: leaders, then per department its manager, QA
    and teams (supervisor first), then the staff functions."""
    d_count = plan.departments
    people: list[_Person] = []

    def take_login(name):
        if name in demo_free:
            demo_free.discard(name)
            return name
        return ""

    for k in range(plan.leaders):
        leads = [d for d in range(d_count) if d % plan.leaders == k]
        people.append(_Person("VP", leads[0], None, take_login("leader"), leads))
    # Agents spread evenly over the teams.
    team_sizes = [plan.agents // plan.teams + (1 if t < plan.agents % plan.teams else 0) for t in range(plan.teams)]
    teams_of = {d: [t for t, td in enumerate(team_department) if td == d] for d in range(d_count)}
    for d in range(d_count):
        people.append(_Person("DEPT_MANAGER", d, None, take_login("manager")))
        people.extend(_Person("QA", d, None) for _ in range(plan.qa // d_count + (1 if d < plan.qa % d_count else 0)))
        for t in teams_of[d]:
            people.append(_Person("SUPERVISOR", d, t, take_login("supervisor")))
            for i in range(team_sizes[t]):
                # One in four agents is a 高级话务员; the demo agent is a plain 话务员.
                login = take_login("agent") if i == 0 else ""
                senior = not login and i % 4 == 3
                people.append(_Person("SENIOR_AGENT" if senior else "AGENT", d, t, login))
    # Staff functions sit in the departments in turn, starting with the second one.
    for code, count, login in (
        ("HR", plan.hr, "hr"),
        ("COMPLAINT", plan.complaint_handlers, "complaints"),
        ("SEC_AUDITOR", plan.auditors, "auditor"),
        ("TRAINER", plan.trainers, "trainer"),
    ):
        for i in range(count):
            people.append(_Person(code, (i + 1) % d_count, None, take_login(login) if i == 0 else ""))
    return people


def _career(rng: random.Random, spec: PositionSpec, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(hire_date, first_employed_on): cumulative working years drive annual leave (LV-3)."""
    lo, hi = spec.hired_years_ago
    hire = today - datetime.timedelta(days=rng.randint(int(lo * 365), int(hi * 365)))
    weights = [option[0] for option in spec.prior_years]
    _weight, p_lo, p_hi = rng.choices(spec.prior_years, weights=weights)[0]
    prior_years = rng.randint(p_lo, p_hi)
    if prior_years == 0:
        return hire, hire
    return hire, hire - datetime.timedelta(days=int(prior_years * 365.25) + rng.randint(0, 300))


def _money(rng: random.Random, lo: int, hi: int, step: int) -> Decimal:
    return Decimal(rng.randrange(lo, hi + 1, step)).quantize(Decimal("0.01"))


@dataclass
class SeedResult:
    employees: int = 0
    leavers: int = 0
    departments: int = 0
    teams: int = 0
    users: int = 0
    positions_created: int = 0
    policies_installed: int = 0
    demo_logins_created: list[str] = field(default_factory=list)
    seeders: dict[str, dict] = field(default_factory=dict)
    months: int = 0
    seed: int = DEFAULT_SEED
    seconds: float = 0.0

    def summary(self) -> dict:
        """JSON-ready, for the audit event."""
        return {
            "employees": self.employees,
            "leavers": self.leavers,
            "departments": self.departments,
            "teams": self.teams,
            "users": self.users,
            "positions_created": self.positions_created,
            "policies_installed": self.policies_installed,
            "demo_logins_created": self.demo_logins_created,
            "months": self.months,
            "seed": self.seed,
            "seeders": self.seeders,
        }


def _role_groups() -> dict[str, Group]:
    """The role groups (migration callcenter.0002 creates them; recreate any missing)."""
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    missing = [Group(name=name) for name in Role.values if name not in groups]
    if missing:
        Group.objects.bulk_create(missing)
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    return groups


def _positions() -> tuple[dict[str, Position], int]:
    existing = {p.code: p for p in Position.objects.filter(code__in=list(POSITION_BY_CODE))}
    missing = [
        Position(code=s.code, name=s.name, description=s.description) for s in POSITIONS if s.code not in existing
    ]
    if missing:
        Position.objects.bulk_create(missing)
        existing = {p.code: p for p in Position.objects.filter(code__in=list(POSITION_BY_CODE))}
    return existing, len(missing)


def _next_numbers() -> tuple[int, int]:
    """Next free employee number (CC00001...) and department number (D01...), so an ``append``
    run never collides with an earlier one."""
    last_no = Employee.objects.filter(employee_no__regex=r"^CC[0-9]{5}$").aggregate(m=Max("employee_no"))["m"]
    dept_numbers = [
        int(code[1:]) for code in Department.objects.filter(code__regex=r"^D[0-9]+$").values_list("code", flat=True)
    ]
    return (int(last_no[2:]) + 1 if last_no else 1), max(dept_numbers, default=0) + 1


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


@transaction.atomic
def seed_demo(
    *,
    employees: int = 60,
    months: int = 3,
    seed: int = DEFAULT_SEED,
    append: bool = False,
    today: datetime.date | None = None,
    stdout: TextIO | None = None,
) -> SeedResult:
    """Create a demo call center of ``employees`` people in one transaction.

    ``append`` adds a further slice (new departments, teams and people) to a database that
    already has employees; otherwise an existing org is refused. Demo logins that already exist
    are left alone. Runs with the same ``seed`` on the same ``today`` produce the same data.
    """
    started = time.perf_counter()
    out = stdout or io.StringIO()
    if not 0 <= months <= MAX_MONTHS:
        raise ApplicationError(
            _("--months must be between 0 and %(n)d.") % {"n": MAX_MONTHS}, code=CoreErrorCode.INVALID
        )
    if not append and Employee.objects.exists():
        raise ApplicationError(
            _(
                "Employees already exist; seed_demo fills an empty database (use --if-empty to skip quietly, "
                "or --append to add another slice)."
            ),
            code=CoreErrorCode.NOT_EMPTY,
        )
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(seed)  # demo data, reproducible on purpose; no security use
    plan = plan_org(employees)
    result = SeedResult(months=months, seed=seed)

    groups = _role_groups()
    result.policies_installed = len(_install_policy_defaults())
    positions, result.positions_created = _positions()
    next_no, next_dept = _next_numbers()
    demo_free = set(DEMO_USERNAMES) - set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )

    # Departments and teams first (reporting lines are filled in once the people exist).
    departments = []
    for i in range(plan.departments):
        number = next_dept + i
        name = DEPARTMENT_NAMES[number - 1] if number <= len(DEPARTMENT_NAMES) else f"客服{cn_number(number)}部"
        departments.append(Department(code=f"D{number:02d}", name=name))
    Department.objects.bulk_create(departments)
    team_department = [t % plan.departments for t in range(plan.teams)]
    teams = []
    per_department_counter = [0] * plan.departments
    for d in team_department:
        per_department_counter[d] += 1
        k = per_department_counter[d]
        dept = departments[d]
        teams.append(
            Team(department=dept, code=f"{dept.code}-{k:02d}", name=f"{dept.name.removesuffix('部')}{cn_number(k)}组")
        )
    Team.objects.bulk_create(teams, batch_size=BATCH_SIZE)

    people = _people(plan, team_department, demo_free)
    # Leavers (GEN-1): ordinary agents hired at least three months ago.
    leaver_candidates = []
    careers = []
    for idx, person in enumerate(people):
        hire, first = _career(rng, POSITION_BY_CODE[person.position], today)
        careers.append((hire, first))
        if person.position in {"AGENT", "SENIOR_AGENT"} and not person.login and (today - hire).days >= 90:
            leaver_candidates.append(idx)
    n_leavers = min(len(leaver_candidates), max(3, round(employees * 0.04)))
    leavers = set(rng.sample(leaver_candidates, n_leavers))

    password = make_password(settings.DEMO_PASSWORD)  # hashed once, shared by every demo user
    users, employee_rows = [], []
    for idx, person in enumerate(people):
        spec = POSITION_BY_CODE[person.position]
        number = next_no + idx
        employee_no = f"CC{number:05d}"
        username = person.login or employee_no.lower()
        surname, given = chinese_name(rng)
        hire, first = careers[idx]
        left_on = None
        if idx in leavers:
            left_on = hire + datetime.timedelta(days=rng.randint(60, (today - hire).days))
        user = User(
            username=username,
            password=password,
            last_name=surname,
            first_name=given,
            email=f"{username}@example.com",
            is_active=left_on is None,
            date_joined=_aware(hire),
            # Demo logins skip the forced first change; generated people get it, as new hires do.
            must_change_password=not person.login,
            password_changed_at=now if person.login else None,
        )
        base_pay = _money(rng, *spec.base_pay, step=50)
        ratio = rng.uniform(*spec.bonus_ratio)
        bonus_base = (Decimal(round(float(base_pay) * ratio / 50) * 50)).quantize(Decimal("0.01"))
        users.append(user)
        employee_rows.append(
            Employee(
                employee_no=employee_no,
                name=surname + given,
                name_initials=pinyin_initials(surname + given),  # bulk_create skips save()
                department=departments[person.department],
                team=teams[person.team] if person.team is not None else None,
                position=positions[spec.code],
                hire_date=hire,
                first_employed_on=first,
                monthly_base_pay=base_pay,
                bonus_base=bonus_base,
                status=EmploymentStatus.LEFT if left_on else EmploymentStatus.ACTIVE,
                left_on=left_on,
            )
        )
    if "admin" in demo_free:
        demo_free.discard("admin")
        users.append(
            User(
                username="admin",
                password=password,
                email="admin@example.com",
                is_staff=True,
                is_superuser=True,
                must_change_password=False,
                password_changed_at=now,
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    for user, employee in zip(users, employee_rows, strict=False):
        employee.user = user
    Employee.objects.bulk_create(employee_rows, batch_size=BATCH_SIZE)

    memberships = [
        User.groups.through(user_id=user.pk, group_id=groups[POSITION_BY_CODE[person.position].role].pk)
        for user, person in zip(users, people, strict=False)
    ]
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)

    # Reporting lines (LV-4): supervisor per team, manager and leader in charge per department.
    for person, employee in zip(people, employee_rows, strict=True):
        if person.position == "SUPERVISOR":
            teams[person.team].supervisor = employee
        elif person.position == "DEPT_MANAGER":
            departments[person.department].manager = employee
        elif person.position == "VP":
            for d in person.leads:
                departments[d].leader_in_charge = employee
    Team.objects.bulk_update(teams, ["supervisor"], batch_size=BATCH_SIZE)
    Department.objects.bulk_update(departments, ["manager", "leader_in_charge"], batch_size=BATCH_SIZE)

    result.employees = len(employee_rows)
    result.leavers = n_leavers
    result.departments = len(departments)
    result.teams = len(teams)
    result.users = len(users)
    result.demo_logins_created = [u.username for u in users if u.username in DEMO_USERNAMES]

    for seeder in demo_seeders():
        name = f"{seeder.__module__}.{seeder.__qualname__}"
        seeder_rng = random.Random(f"{seed}:{name}")  # demo data
        result.seeders[name] = seeder(seeder_rng, employee_rows, months, out) or {}

    result.seconds = round(time.perf_counter() - started, 3)
    # One event for the whole seed, not one per row (see the module docstring).
    audit_record(
        actor=None,
        action="demo.seed",
        object_type="callcenter.employee",
        object_repr=f"demo data: {result.employees} employees",
        changes=result.summary(),
    )
    if connection.vendor == "postgresql":
        # Fresh planner statistics once the rows are committed: right after a bulk load the
        # planner still thinks the tables are empty (autovacuum's analyze may be minutes away, or
        # off) and picks hash joins over the whole employee table for a 25-row page.
        transaction.on_commit(analyze_database)
    return result


def analyze_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _install_policy_defaults() -> list:
    return policy_defaults_install(actor=None)
