"""Security monitoring's pure rules (SEC-3): which audit actions the auditor's security page
watches and in which category, how many sensitive records an event read, working hours.

The categories are stored with each watched event by the monitoring job
(``security_monitor_scan``), so the page never classifies the whole trail at read time.
"After hours" is not stored: it is a sign-in or a sensitive read whose local hour falls outside
the working hours of the policy in force (``SecurityMonitoringPolicy``), so a change of the
working hours applies to the past too."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = [
    "ACCESS_CATEGORIES",
    "CATEGORY_LABELS",
    "SENSITIVE_CATEGORIES",
    "SecurityCategory",
    "action_category",
    "is_after_hours",
    "sensitive_records",
    "watched_actions",
]


class SecurityCategory:
    SIGN_IN_FAILURE = "sign_in_failure"
    PERMISSION_DENIED = "permission_denied"
    EXPORT = "export"
    CONTACT_REVEAL = "contact_reveal"
    POLICY_CHANGE = "policy_change"
    SIGN_IN = "sign_in"
    # Derived, never stored: a sign-in or a sensitive read outside working hours.
    AFTER_HOURS = "after_hours"


CATEGORY_LABELS = {
    SecurityCategory.SIGN_IN_FAILURE: _("Failed sign-ins and lockouts"),
    SecurityCategory.PERMISSION_DENIED: _("Permission denials"),
    SecurityCategory.EXPORT: _("Exports"),
    SecurityCategory.CONTACT_REVEAL: _("Customer contact reveals"),
    SecurityCategory.POLICY_CHANGE: _("Policy changes"),
    SecurityCategory.AFTER_HOURS: _("After-hours access"),
    SecurityCategory.SIGN_IN: _("Sign-ins"),
}

# Reads of sensitive records (SEC-3): the bulk-read alert counts their records.
SENSITIVE_CATEGORIES = (SecurityCategory.EXPORT, SecurityCategory.CONTACT_REVEAL)
# What "after hours" looks at: sign-ins and sensitive reads.
ACCESS_CATEGORIES = (SecurityCategory.SIGN_IN, *SENSITIVE_CATEGORIES)

_FIXED = {
    "auth.login_failed": SecurityCategory.SIGN_IN_FAILURE,
    "auth.lockout": SecurityCategory.SIGN_IN_FAILURE,
    "auth.login": SecurityCategory.SIGN_IN,
    "security.permission_denied": SecurityCategory.PERMISSION_DENIED,
    "security.permission_denied_bound": SecurityCategory.PERMISSION_DENIED,
    "complaint.contact_reveal": SecurityCategory.CONTACT_REVEAL,
    "policy.version_create": SecurityCategory.POLICY_CHANGE,
    "policy.defaults_install": SecurityCategory.POLICY_CHANGE,
}


def action_category(action: str) -> str | None:
    """The monitoring category of an action code, or None when the page does not watch it.
    Every export is one: a code whose verb starts or ends with ``export`` (``directory.export``,
    ``audit.export_download``, ``bonus_sheet.export_request``), so a new export is watched as
    soon as it is recorded."""
    if action in _FIXED:
        return _FIXED[action]
    verb = action.rpartition(".")[2]
    if verb.startswith("export") or verb.endswith("_export"):
        return SecurityCategory.EXPORT
    return None


def watched_actions(codes) -> list[str]:
    """The codes among ``codes`` (the registry of labels) that the page watches."""
    return sorted(code for code in codes if action_category(code) is not None)


def sensitive_records(action: str, changes) -> int:
    """How many sensitive records an event read (SEC-3, the bulk-read alert): the ``rows`` an
    export recorded (1 when it recorded none); a contact reveal reads one customer's contact.
    An export *request* reads nothing yet (its download does) and a refused download nothing."""
    category = action_category(action)
    if category not in SENSITIVE_CATEGORIES:
        return 0
    verb = action.rpartition(".")[2]
    if verb.endswith("_request") or verb.endswith("_tampered"):
        return 0
    rows = changes.get("rows") if isinstance(changes, dict) else None
    if isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0:
        return rows
    return 1


def is_after_hours(local_hour: int, *, start: int, end: int) -> bool:
    """Outside working hours [start, end) of the local day (hours 0-24)."""
    return local_hour < start or local_hour >= end
