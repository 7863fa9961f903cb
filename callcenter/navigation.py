"""The menu, assembled from what each app registers.

An app declares its entries in its ``AppConfig.ready()``::

    navigation_register(
        NavEntry(key="leave_inbox", label=_("Leave inbox"), url_name="attendance:leave_inbox",
                 icon="inbox", order=140, visible=has_any_role(Role.SUPERVISOR, Role.HR)),
    )

and :func:`navigation_for` gives a user the entries they may open, in ``order``. The core app knows
no other app's URLs. ``key`` is what a page sets as ``nav_active`` to highlight its entry (and
the ``data-nav-key`` the browser tests click).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from callcenter.roles import has_role
from callcenter.selectors import Scope, employee_of, user_scope

__all__ = [
    "NAVIGATION",
    "NavEntry",
    "Viewer",
    "everyone",
    "has_any_role",
    "is_employee",
    "is_employee_or_role",
    "is_staff",
    "navigation_for",
    "navigation_register",
]


class Viewer:
    """The user the menu is built for, with the facts the entries ask about computed once."""

    def __init__(self, user):
        self.user = user

    @functools.cached_property
    def is_employee(self) -> bool:
        return employee_of(self.user) is not None

    @functools.cached_property
    def scope(self) -> Scope:
        return user_scope(self.user)

    def has_role(self, *roles: str) -> bool:
        return has_role(self.user, *roles)


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise | Callable[[Viewer], str | Promise]
    url_name: str | Callable[[Viewer], str]
    icon: str
    order: int
    visible: Callable[[Viewer], bool]

    def item(self, viewer: Viewer) -> dict:
        label = self.label(viewer) if callable(self.label) else self.label
        url_name = self.url_name(viewer) if callable(self.url_name) else self.url_name
        return {"key": self.key, "label": label, "url": reverse(url_name), "icon": self.icon}


# Every registered entry, by key (registering a key twice replaces it: AppConfig.ready() may run
# again in tests that reload apps).
NAVIGATION: dict[str, NavEntry] = {}


def navigation_register(*entries: NavEntry) -> None:
    for entry in entries:
        NAVIGATION[entry.key] = entry


def navigation_for(user) -> list[dict]:
    """The menu items ``user`` may open, in order: ``{key, label, url, icon}``."""
    if user is None or not user.is_authenticated:
        return []
    viewer = Viewer(user)
    entries = sorted(NAVIGATION.values(), key=lambda e: (e.order, e.key))
    return [entry.item(viewer) for entry in entries if entry.visible(viewer)]


# --- Who sees an entry ------------------------------------------------------------------------------


def everyone(viewer: Viewer) -> bool:
    return True


def is_employee(viewer: Viewer) -> bool:
    return viewer.is_employee


def is_staff(viewer: Viewer) -> bool:
    return bool(viewer.user.is_staff or viewer.user.is_superuser)


def has_any_role(*roles: str) -> Callable[[Viewer], bool]:
    return lambda viewer: viewer.has_role(*roles)


def is_employee_or_role(*roles: str) -> Callable[[Viewer], bool]:
    return lambda viewer: viewer.is_employee or viewer.has_role(*roles)
