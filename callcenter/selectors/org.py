"""The org: employees, teams and departments, and whose records each user may see.

Whose records may this user see or act on? The one answer, used by every selector.

Scopes follow the reporting lines of the org model, not the role groups alone:

==================  ====================================================================
who                 sees the employee records of
==================  ====================================================================
anyone              themselves (``SELF``)
team supervisor     the members of the teams they supervise (``TEAM``)
department manager  everyone in the departments they manage (``DEPARTMENT``)
company leader      everyone in the departments they are in charge of (``DEPARTMENT``)
HR, superuser       the whole company (``COMPANY``)
==================  ====================================================================

Exceptions are time-bound access grants (``callcenter.models.AccessGrant``, carried out by
django-guardian object permissions; :mod:`callcenter.selectors.grants` reads those in force
today), added here and nowhere else:

* a covering supervisor given a team sees its members as the team's supervisor does (while
  they hold an approver role);
* an HR user limited to departments (an HR assistant) sees those departments instead of the
  whole company, and nothing else between grants;
* a complaint case grant is the complaints selector's business (it adds one complaint, no
  person).

Other apps filter their own records with :func:`filter_by_employee`, so "the leave requests a
supervisor sees" is exactly "the leave requests of the employees that supervisor sees".
"""

import enum
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import (
    Department,
    Employee,
    EmploymentStatus,
    Position,
    Team,
)
from callcenter.roles import Role, has_role
from callcenter.selectors.grants import TEAM_COVER_ROLES, grants_in_force, is_company_hr

__all__ = [
    "ChartDepartment",
    "ChartTeam",
    "Scope",
    "approval_chain",
    "can_see_employee",
    "covered_team_ids",
    "department_by_code_or_id",
    "department_choices",
    "department_list",
    "employee_choices",
    "employee_get",
    "employee_list",
    "employee_of",
    "employee_visibility_q",
    "employees_visible_to",
    "employees_with_role",
    "filter_by_employee",
    "hr_department_ids",
    "org_chart",
    "org_chart_reads_all",
    "org_department_get",
    "org_department_records",
    "org_editor",
    "org_position_get",
    "org_team_get",
    "org_team_records",
    "position_list",
    "team_by_code_or_id",
    "team_choices",
    "team_list",
    "user_scope",
]


class Scope(enum.IntEnum):
    NONE = 0
    SELF = 1
    TEAM = 2
    DEPARTMENT = 3
    COMPANY = 4


def _employee_of(user):
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def covered_team_ids(user, *, fresh: bool = False) -> frozenset[int]:
    """Teams ``user`` covers today as their supervisor (a team grant in force, while they hold an
    approver role). ``fresh``: read the grants again (decisions do)."""
    if not has_role(user, *TEAM_COVER_ROLES):
        return frozenset()
    return grants_in_force(user, fresh=fresh).teams


def hr_department_ids(user) -> frozenset[int] | None:
    """The HR remit of ``user``: None for the whole company (company HR, superusers), else the
    departments of a limited HR assistant's grants in force (maybe none); an empty set for a
    user without the HR role."""
    if is_company_hr(user):
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active or not has_role(user, Role.HR):
        return frozenset()
    return grants_in_force(user).departments


def user_scope(user) -> Scope:
    """The widest scope the user holds (for navigation and dashboards)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    if is_company_hr(user):
        return Scope.COMPANY
    granted = Scope.DEPARTMENT if hr_department_ids(user) else Scope.TEAM if covered_team_ids(user) else Scope.NONE
    me = _employee_of(user)
    if me is None:
        return granted
    cached = getattr(me, "_scope_cache", None)
    if cached is None:
        # One query for both questions (every page's navigation asks it).
        heads_department, supervises_team = (
            Employee.objects.filter(pk=me.pk)
            .annotate(
                heads_department=Exists(
                    Department.objects.filter(Q(manager_id=OuterRef("pk")) | Q(leader_in_charge_id=OuterRef("pk")))
                ),
                supervises_team=Exists(Team.objects.filter(supervisor_id=OuterRef("pk"))),
            )
            .values_list("heads_department", "supervises_team")
            .get()
        )
        cached = Scope.DEPARTMENT if heads_department else Scope.TEAM if supervises_team else Scope.SELF
        me._scope_cache = cached
    return max(cached, granted)


def employee_visibility_q(user, prefix: str = "") -> Q | None:
    """A Q over Employee (or over a model whose ``prefix`` leads to Employee) for ``user``.

    ``None`` means "everything" (company scope); ``Q(pk__in=[])`` means nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if is_company_hr(user):
        return None
    me = _employee_of(user)
    p = f"{prefix}__" if prefix else ""
    q = Q(pk__in=[])
    team_ids: set[int] = set()
    department_ids: set[int] = set()
    if me is not None:
        q |= Q(**{f"{p}pk": me.pk})
        team_ids, department_ids = (set(ids) for ids in _remit_ids(me))
    # Grants in force: a covered team, an HR assistant's departments.
    team_ids |= covered_team_ids(user)
    department_ids |= hr_department_ids(user) or set()
    # Ids first, then plain column filters: an OR across joined tables defeats the indexes.
    if team_ids:
        q |= Q(**{f"{p}team_id__in": sorted(team_ids)})
    if department_ids:
        q |= Q(**{f"{p}department_id__in": sorted(department_ids)})
    return q


def _remit_ids(me: Employee) -> tuple[list[int], list[int]]:
    """Teams ``me`` supervises; departments ``me`` manages or is leader in charge of."""
    team_ids = list(Team.objects.filter(supervisor=me).values_list("pk", flat=True))
    department_ids = list(
        Department.objects.filter(Q(manager=me) | Q(leader_in_charge=me)).values_list("pk", flat=True)
    )
    return team_ids, department_ids


def employees_visible_to(user) -> QuerySet[Employee]:
    q = employee_visibility_q(user)
    qs = Employee.objects.all()
    return qs if q is None else qs.filter(q)


def filter_by_employee(queryset: QuerySet, user, employee_field: str = "employee") -> QuerySet:
    """Restrict any queryset with an ``employee`` foreign key to what ``user`` may see."""
    q = employee_visibility_q(user, prefix=employee_field)
    return queryset if q is None else queryset.filter(q)


def can_see_employee(user, employee: Employee) -> bool:
    return employees_visible_to(user).filter(pk=employee.pk).exists()


def employee_of(user) -> Employee | None:
    try:
        return user.employee
    except (Employee.DoesNotExist, AttributeError):
        return None


def employee_list(*, user, filters: dict | None = None) -> QuerySet[Employee]:
    """Employees ``user`` may see, filtered by ``q`` (name / number), department, team, status."""
    filters = filters or {}
    qs = employees_visible_to(user).select_related("department", "team", "position", "user")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(employee_no__icontains=q))
    if department := filters.get("department"):
        qs = qs.filter(department_id=department)
    if team := filters.get("team"):
        qs = qs.filter(team_id=team)
    status = filters.get("status", EmploymentStatus.ACTIVE)
    if status in EmploymentStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("employee_no")


def employee_get(*, user, pk) -> Employee:
    """One employee, or NotFoundError when it does not exist *or* is not visible (no leak)."""
    employee = employee_list(user=user, filters={"status": "all"}).filter(pk=pk).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    return employee


def approval_chain(employee: Employee) -> list[tuple[str, Employee]]:
    """The reporting line above an employee: supervisor, manager, leader in charge (LV-4)."""
    chain = []
    team = employee.team
    if team and team.supervisor_id and team.supervisor_id != employee.pk:
        chain.append((Role.SUPERVISOR, team.supervisor))
    dept = employee.department
    if dept.manager_id and dept.manager_id != employee.pk:
        chain.append((Role.DEPARTMENT_MANAGER, dept.manager))
    if dept.leader_in_charge_id and dept.leader_in_charge_id != employee.pk:
        chain.append((Role.COMPANY_LEADER, dept.leader_in_charge))
    return chain


def department_list(*, user) -> QuerySet[Department]:
    """Departments with active headcount, restricted to those the user can see someone in."""
    visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
    return (
        Department.objects.filter(pk__in=visible.values("department_id"))
        .select_related("manager", "leader_in_charge")
        .annotate(headcount=Count("employees", filter=Q(employees__status=EmploymentStatus.ACTIVE)))
        .order_by("code")
    )


def team_list(*, user) -> QuerySet[Team]:
    visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
    return (
        Team.objects.filter(pk__in=visible.values("team_id"))
        .select_related("department", "supervisor")
        .annotate(headcount=Count("members", filter=Q(members__status=EmploymentStatus.ACTIVE)))
        .order_by("code")
    )


# --- Choices for filters and pickers ----------------------------------------------------------------
# One answer to "which teams / departments / employees may this user pick here", so no page decides
# it again. A module that grants some roles company-wide reading of its own records (the complaint
# team reads every complaint) passes them as ``company_wide_roles``; HR and superusers always read
# company-wide.


def _company_wide(user, roles) -> bool:
    # HR's company-wide reach is decided by the scope (an HR assistant is limited to departments).
    roles = tuple(role for role in roles if role != Role.HR)
    return user_scope(user) >= Scope.COMPANY or bool(roles and has_role(user, *roles))


def team_choices(*, user, company_wide_roles: tuple[str, ...] = ()) -> QuerySet[Team]:
    """Teams the user may pick in a filter: every team when their reach is company-wide, else the
    teams of their remit (with active members). Light rows, ordered by code."""
    if _company_wide(user, company_wide_roles):
        qs = Team.objects.all()
    else:
        visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
        qs = Team.objects.filter(pk__in=visible.values("team_id"))
    return qs.select_related("department").only("pk", "code", "name", "department__name").order_by("code")


def department_choices(*, user, company_wide_roles: tuple[str, ...] = ()) -> QuerySet[Department]:
    """Departments the user may pick in a filter, as :func:`team_choices` decides for teams."""
    if _company_wide(user, company_wide_roles):
        qs = Department.objects.all()
    else:
        visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE)
        qs = Department.objects.filter(pk__in=visible.values("department_id"))
    return qs.only("pk", "code", "name").order_by("code")


def employee_choices(*, user, company_wide_roles: tuple[str, ...] = (), active_only: bool = True) -> QuerySet[Employee]:
    """Employees the user may pick (an owner, a delegate, a person concerned): everyone when their
    reach is company-wide, else their remit. Active ones unless ``active_only`` is False."""
    qs = Employee.objects.all() if _company_wide(user, company_wide_roles) else employees_visible_to(user)
    if active_only:
        qs = qs.filter(status=EmploymentStatus.ACTIVE)
    return qs.select_related("team", "department").order_by("employee_no")


def employees_with_role(*roles: str) -> QuerySet[Employee]:
    """Active employees whose login holds one of ``roles`` (the complaint team for an owner picker)."""
    return (
        Employee.objects.filter(status=EmploymentStatus.ACTIVE, user__groups__name__in=roles, user__is_active=True)
        .distinct()
        .select_related("team", "department")
        .order_by("employee_no")
    )


def _by_code_or_id(qs: QuerySet, value) -> object | None:
    value = str(value or "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) <= 18 and (found := qs.filter(pk=int(value)).first()):
        return found
    return qs.filter(code__iexact=value).first()


def team_by_code_or_id(value) -> Team | None:
    """The team with this id or code (an access grant names it), or None."""
    return _by_code_or_id(Team.objects.select_related("department"), value)


def department_by_code_or_id(value) -> Department | None:
    """The department with this id or code (an access grant names it), or None."""
    return _by_code_or_id(Department.objects.all(), value)


def position_list() -> QuerySet[Position]:
    """Every position (岗位), ordered by code: templates and pay are per position."""
    return Position.objects.order_by("code")


# --- The org chart and the org's own pages (issue 13) -------------------------------------------------


def org_editor(user) -> bool:
    """Who edits departments, teams, positions and reporting lines: company HR and superusers
    (an HR assistant limited to departments does not: the org is company-wide)."""
    return is_company_hr(user)


def org_chart_reads_all(user) -> bool:
    """Who reads the whole org chart: HR, superusers and company leaders; anyone else reads their
    own department and the departments of their remit."""
    return is_company_hr(user) or (
        getattr(user, "is_authenticated", False) and user.is_active and has_role(user, Role.COMPANY_LEADER)
    )


@dataclass
class ChartTeam:
    team: Team
    headcount: int
    members: list[Employee] = field(default_factory=list)  # those the reader may see

    @property
    def needs_supervisor(self) -> bool:
        supervisor = self.team.supervisor
        return supervisor is None or supervisor.status != EmploymentStatus.ACTIVE


@dataclass
class ChartDepartment:
    department: Department
    depth: int
    headcount: int
    teams: list[ChartTeam] = field(default_factory=list)
    unassigned: list[Employee] = field(default_factory=list)  # visible members without a team

    @property
    def indent(self) -> int:
        """The depth as a spacing step (Bootstrap's ms-0 … ms-5)."""
        return min(self.depth * 2, 5)


def org_chart(*, user) -> list[ChartDepartment]:
    """Departments (in tree order, with their depth) → teams → supervisor and active headcount,
    with the active members ``user`` may see. Whose departments: everyone's for HR and company
    leaders, else the reader's own and those of their remit. Three queries plus the remit's, whatever the size."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    departments = Department.objects.select_related("parent", "manager", "leader_in_charge").annotate(
        headcount=Count("employees", filter=Q(employees__status=EmploymentStatus.ACTIVE))
    )
    if not org_chart_reads_all(user):
        me = employee_of(user)
        visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE).values("department_id")
        own = Q(pk=me.department_id) if me is not None else Q(pk__in=[])
        departments = departments.filter(own | Q(pk__in=visible))
    departments = list(departments.order_by("code"))
    ids = [d.pk for d in departments]
    teams = (
        Team.objects.filter(department_id__in=ids)
        .select_related("supervisor")
        .annotate(headcount=Count("members", filter=Q(members__status=EmploymentStatus.ACTIVE)))
        .order_by("code")
    )
    members = (
        employees_visible_to(user)
        .filter(status=EmploymentStatus.ACTIVE, department_id__in=ids)
        .select_related("position")
        .only("pk", "name", "employee_no", "team_id", "department_id", "position__name")
        .order_by("employee_no")
    )
    by_team: dict[int, list[Employee]] = {}
    without_team: dict[int, list[Employee]] = {}
    for member in members:
        if member.team_id is None:
            without_team.setdefault(member.department_id, []).append(member)
        else:
            by_team.setdefault(member.team_id, []).append(member)
    teams_of: dict[int, list[ChartTeam]] = {}
    for team in teams:
        teams_of.setdefault(team.department_id, []).append(ChartTeam(team, team.headcount, by_team.get(team.pk, [])))
    return [
        ChartDepartment(d, depth, d.headcount, teams_of.get(d.pk, []), without_team.get(d.pk, []))
        for d, depth in _tree_order(departments)
    ]


def _tree_order(departments: list[Department]) -> list[tuple[Department, int]]:
    """Each department after its parent (when the parent is in the list), children by code."""
    included = {d.pk for d in departments}
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id if d.parent_id in included else None, []).append(d)
    ordered: list[tuple[Department, int]] = []
    seen: set[int] = set()
    stack = [(d, 0) for d in reversed(children.get(None, []))]
    while stack:
        department, depth = stack.pop()
        if department.pk in seen:
            continue
        seen.add(department.pk)
        ordered.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(department.pk, [])))
    # A loop in the data (refused by department_save) still lists every department once.
    ordered.extend((d, 0) for d in departments if d.pk not in seen)
    return ordered


def org_department_records() -> QuerySet[Department]:
    """Every department for the org editors' list: parent, reporting lines, team count and
    active headcount."""
    return (
        Department.objects.select_related("parent", "manager", "leader_in_charge")
        .annotate(
            team_count=Count("teams", distinct=True),
            headcount=Count("employees", filter=Q(employees__status=EmploymentStatus.ACTIVE), distinct=True),
        )
        .order_by("code")
    )


def org_team_records(*, department_id: int | None = None) -> QuerySet[Team]:
    """Every team (of one department) for the org editors' list: supervisor and active headcount."""
    qs = Team.objects.select_related("department", "supervisor").annotate(
        headcount=Count("members", filter=Q(members__status=EmploymentStatus.ACTIVE))
    )
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("code")


def _record_get(qs: QuerySet, pk, message: str):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFoundError(message)
    return found


def org_department_get(*, pk) -> Department:
    """One department for its edit page (org editors), or NotFoundError."""
    return _record_get(
        Department.objects.select_related("parent", "manager", "leader_in_charge"), pk, _("Department not found.")
    )


def org_team_get(*, pk) -> Team:
    """One team for its edit page (org editors), or NotFoundError."""
    return _record_get(Team.objects.select_related("department", "supervisor"), pk, _("Team not found."))


def org_position_get(*, pk) -> Position:
    """One position for its edit page (org editors), or NotFoundError."""
    return _record_get(Position.objects.all(), pk, _("Position not found."))
