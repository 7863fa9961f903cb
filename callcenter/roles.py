"""Roles are Django groups; these are their stable names.

A role grants *functions* (approve leave, edit policies, read the audit trail). Which *records*
a person sees follows from the reporting lines: see :mod:`callcenter.visibility`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Team supervisor")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    COMPANY_LEADER = "company_leader", _("Company leader")
    HR = "hr", _("HR")
    COMPLAINT_HANDLER = "complaint_handler", _("Complaint handler")
    SECURITY_AUDITOR = "security_auditor", _("Security auditor")
    TRAINER = "trainer", _("Trainer")


def user_roles(user) -> frozenset[str]:
    """The role names a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(user_roles(user) & set(roles))
