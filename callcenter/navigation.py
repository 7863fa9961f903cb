"""The menu, assembled from what each app registers.

An app declares its entries in its ``AppConfig.ready()``::

    navigation_register(
        NavEntry(key="leave_inbox", label=_("Leave inbox"), url_name="attendance:leave_inbox",
                 icon="inbox", order=140, visible=has_any_role(Role.SUPERVISOR, Role.HR)),
    )

and :func:`navigation_for` gives a user the entries they may open, in ``order``. The core app knows
no other app's URLs. ``key`` is what a page sets as ``nav_active`` to highlight its entry (and
the ``data-nav-key`` the browser tests click).

The menu bar shows one menu per module (issue 14): the core defines the groups
(:data:`NAV_GROUPS`: key, label, icon, place on the bar) and each entry names its ``group``;
:func:`navigation_menu` builds the bar from what the user may open — a group with one entry is a
plain link, a group with more is a dropdown, an entry without a group (the dashboard) stands
alone. The module of the page being shown is highlighted (``aria-current``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from callcenter.roles import has_role
from callcenter.selectors import Scope, employee_of, user_scope

__all__ = [
    "NAVIGATION",
    "NAV_GROUPS",
    "NavEntry",
    "NavGroup",
    "Viewer",
    "everyone",
    "has_any_role",
    "is_employee",
    "is_employee_or_role",
    "is_staff",
    "navigation_for",
    "navigation_menu",
    "navigation_path_key",
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
class NavGroup:
    """A module's menu on the bar; the core defines them, the apps put their entries in them."""

    key: str
    label: str | Promise
    icon: str
    order: int


# The modules' menus, in their order on the bar (an entry names one by its key).
NAV_GROUPS: dict[str, NavGroup] = {
    group.key: group
    for group in (
        NavGroup("attendance", pgettext_lazy("menu", "Attendance"), "calendar-check", 100),
        NavGroup("leave", pgettext_lazy("menu", "Leave"), "airplane", 150),
        NavGroup("complaints", pgettext_lazy("menu", "Complaints"), "megaphone", 200),
        NavGroup("training", pgettext_lazy("menu", "Training"), "mortarboard", 250),
        NavGroup("appraisal", pgettext_lazy("menu", "Appraisal"), "award", 300),
        NavGroup("training", pgettext_lazy("menu", "Training"), "mortarboard", 250),  # issue 16 (study part)
        NavGroup("people", pgettext_lazy("menu", "People"), "people", 800),
        NavGroup("organisation", pgettext_lazy("menu", "Organisation"), "diagram-3", 850),
        NavGroup("security", pgettext_lazy("menu", "Security"), "shield-lock", 900),
        NavGroup("admin", pgettext_lazy("menu", "Admin"), "gear", 950),
    )
}


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise | Callable[[Viewer], str | Promise]
    url_name: str | Callable[[Viewer], str]
    icon: str
    order: int
    visible: Callable[[Viewer], bool]
    group: str = ""  # a key of NAV_GROUPS; "" stands alone on the bar (the dashboard)

    def __post_init__(self):
        if self.group and self.group not in NAV_GROUPS:
            raise ValueError(f"Unknown menu group {self.group!r} of entry {self.key!r}")

    def item(self, viewer: Viewer) -> dict:
        label = self.label(viewer) if callable(self.label) else self.label
        url_name = self.url_name(viewer) if callable(self.url_name) else self.url_name
        return {"key": self.key, "label": label, "url": reverse(url_name), "icon": self.icon, "group": self.group}


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


def navigation_menu(items: list[dict]) -> list[dict]:
    """The bar built from :func:`navigation_for`'s items: ``{key, label, icon, items, keys}`` per
    module menu (``items`` in order, ``keys`` to find the current module), lone entries as menus
    of one, in the groups' order (an entry without group at its own ``order`` among them)."""
    menus: dict[str, dict] = {}
    for position, item in enumerate(items):
        key = item["group"] or f"entry:{item['key']}"
        if key not in menus:
            group = NAV_GROUPS.get(item["group"])
            menus[key] = {
                "key": item["group"] or item["key"],
                "label": group.label if group else item["label"],
                "icon": group.icon if group else item["icon"],
                "order": (group.order if group else -1, position),
                "items": [],
                "keys": [],
            }
        menus[key]["items"].append(item)
        menus[key]["keys"].append(item["key"])
    return sorted(menus.values(), key=lambda menu: menu["order"])


def navigation_path_key(items: list[dict], path: str) -> str:
    """The entry of the page at ``path`` when the view names none (``nav_active``): the dashboard
    on its own URL, else the entry with the longest URL that ``path`` starts with."""
    best = ""
    best_length = 0
    for item in items:
        url = item["url"]
        matches = path == url if item["key"] == "dashboard" else path.startswith(url)
        if matches and len(url) > best_length:
            best, best_length = item["key"], len(url)
    return best


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
