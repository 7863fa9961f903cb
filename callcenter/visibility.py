"""Whose records may this user see or act on? The one answer, used by every selector.

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

Exceptions (a delegate approver, a cross-team assignment) are object-level grants of
``callcenter.view_employee`` through django-guardian, added on top.

Other apps filter their own records with :func:`filter_by_employee`, so "the leave requests a
supervisor sees" is exactly "the leave requests of the employees that supervisor sees".
"""

import enum

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Department, Employee, Team
from .roles import Role, has_role


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


def user_scope(user) -> Scope:
    """The widest scope the user holds (for navigation and dashboards)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    if user.is_superuser or has_role(user, Role.HR):
        return Scope.COMPANY
    me = _employee_of(user)
    if me is None:
        return Scope.NONE
    cached = getattr(me, "_scope_cache", None)
    if cached is not None:
        return cached
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
    scope = Scope.DEPARTMENT if heads_department else Scope.TEAM if supervises_team else Scope.SELF
    me._scope_cache = scope
    return scope


def employee_visibility_q(user, prefix: str = "") -> Q | None:
    """A Q over Employee (or over a model whose ``prefix`` leads to Employee) for ``user``.

    ``None`` means "everything" (company scope); ``Q(pk__in=[])`` means nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or has_role(user, Role.HR):
        return None
    me = _employee_of(user)
    p = f"{prefix}__" if prefix else ""
    q = Q(pk__in=[])
    if me is not None:
        # Ids first, then plain column filters: an OR across joined tables defeats the indexes.
        team_ids, department_ids = _remit_ids(me)
        q |= Q(**{f"{p}pk": me.pk})
        if team_ids:
            q |= Q(**{f"{p}team_id__in": team_ids})
        if department_ids:
            q |= Q(**{f"{p}department_id__in": department_ids})
    granted = _granted_employee_ids(user)
    if granted:
        q |= Q(**{f"{p}pk__in": granted})
    return q


def _remit_ids(me: Employee) -> tuple[list[int], list[int]]:
    """Teams ``me`` supervises; departments ``me`` manages or is leader in charge of."""
    team_ids = list(Team.objects.filter(supervisor=me).values_list("pk", flat=True))
    department_ids = list(
        Department.objects.filter(Q(manager=me) | Q(leader_in_charge=me)).values_list("pk", flat=True)
    )
    return team_ids, department_ids


def _granted_employee_ids(user) -> list[int]:
    """Object-level grants (django-guardian) of ``callcenter.view_employee``."""
    from guardian.shortcuts import get_objects_for_user

    return list(
        get_objects_for_user(
            user, "callcenter.view_employee", klass=Employee, accept_global_perms=False, with_superuser=False
        ).values_list("pk", flat=True)
    )


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
