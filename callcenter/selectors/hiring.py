"""Reads of hiring (GEN-1): what the hire form offers HR, and a new employee's mandatory items."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from callcenter import providers
from callcenter.models import Department, Employee, Position, Team
from callcenter.roles import Role
from callcenter.selectors.accounts import ROLES_ADMIN_ONLY
from callcenter.selectors.org import hr_department_ids

__all__ = [
    "OnboardingItemState",
    "hire_department_choices",
    "hire_position_choices",
    "hire_role_choices",
    "hire_team_choices",
    "onboarding_item_list",
]


def hire_department_choices(*, user) -> QuerySet[Department]:
    """The departments ``user`` (HR) may hire into: all for company HR, a limited HR
    assistant's granted departments, none for anyone else."""
    remit = hr_department_ids(user)
    qs = Department.objects.only("pk", "code", "name").order_by("code")
    return qs if remit is None else qs.filter(pk__in=sorted(remit))


def hire_team_choices(*, user) -> QuerySet[Team]:
    """The teams of those departments, each with its supervisor: a new employee's direct
    supervisor is their team's supervisor (the form shows it beside the team)."""
    remit = hr_department_ids(user)
    qs = Team.objects.select_related("department", "supervisor").order_by("department__code", "code")
    return qs if remit is None else qs.filter(department_id__in=sorted(remit))


def hire_position_choices() -> QuerySet[Position]:
    return Position.objects.only("pk", "code", "name").order_by("code")


def hire_role_choices(*, user) -> list[tuple[str, str]]:
    """The roles HR may give a new login (the security auditor's role is an administrator's)."""
    return [(value, label) for value, label in Role.choices if user.is_superuser or value not in ROLES_ADMIN_ONLY]


@dataclass(frozen=True)
class OnboardingItemState:
    key: str
    label: str
    article: str
    done: bool | None
    url: str


def onboarding_item_list(*, employee: Employee) -> list[OnboardingItemState]:
    """The mandatory items the installed modules ask of a new employee (the code of conduct,
    induction training) and whether each is done; empty until those modules register."""
    states = []
    for item in providers.onboarding_items():
        try:
            url = reverse(item.url_name) if item.url_name else ""
        except NoReverseMatch:
            url = ""
        states.append(OnboardingItemState(item.key, str(item.label), item.article, item.done(employee), url))
    return states
