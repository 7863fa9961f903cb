from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _sign_in_failed(sender, credentials=None, request=None, **kwargs):
    """Django's ``user_login_failed``: runs after django-axes' own receiver, so the request
    carries axes' verdict (locked out? how many failures?). Only calls the service."""
    from datasecurity.services import audit_sign_in_failure_record

    credentials = credentials or {}
    audit_sign_in_failure_record(
        username=credentials.get("username", ""),
        locked_out=bool(getattr(request, "axes_locked_out", False)),
        failures=getattr(request, "axes_failures_since_start", None),
    )


def _locked_out(sender, request=None, username=None, **kwargs):
    """django-axes' ``user_locked_out``. Only calls the service."""
    from datasecurity.services import audit_lockout_record

    audit_lockout_record(username=username or "", failures=getattr(request, "axes_failures_since_start", None))


def _backup_key_check(app_configs, **kwargs):
    """Deploy check (SEC-1): production encrypts its backups with its own key."""
    from django.conf import settings
    from django.core.checks import Warning as CheckWarning

    from datasecurity.rules.backup import backup_key_parse

    if not getattr(settings, "PRODUCTION", False):
        return []
    text = getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    try:
        if text:
            backup_key_parse(text)
            return []
        problem = "BACKUP_ENCRYPTION_KEY is not set: backups will fail (SEC-1, encrypted at rest)."
    except ValueError as exc:
        problem = f"BACKUP_ENCRYPTION_KEY is not valid: {exc}."
    return [
        CheckWarning(
            problem,
            hint='Make one with python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())" '
            "and keep it outside both backup locations (docs/operations.md).",
            id="datasecurity.W001",
        )
    ]


def _signed_in(sender, request=None, user=None, **kwargs):
    """Django's ``user_logged_in`` for a sign-in form's POST (SEC-3, after-hours access): a
    session opened by tooling (the test client's ``force_login``) is not a person signing in.
    Only calls the service."""
    if request is None or getattr(request, "method", None) != "POST" or user is None:
        return
    from datasecurity.services import security_sign_in_record

    security_sign_in_record(user=user)


class DatasecurityConfig(AppConfig):
    name = "datasecurity"
    verbose_name = _("Data security")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.checks import Tags, register

        from callcenter.navigation import NavEntry, has_any_role, is_staff, navigation_register
        from callcenter.providers import DashboardCard, HealthCheck, dashboard_card_register, health_check_register
        from callcenter.roles import Role
        from datasecurity.selectors import audit_dashboard_alerts, backup_health

        # SEC-2: failed sign-ins and lockouts reach the audit trail.
        user_login_failed.connect(_sign_in_failed, dispatch_uid="datasecurity.audit_sign_in_failure")
        user_locked_out.connect(_locked_out, dispatch_uid="datasecurity.audit_lockout")
        # SEC-3: sign-ins, for the after-hours access of the security page.
        user_logged_in.connect(_signed_in, dispatch_uid="datasecurity.security_sign_in")
        navigation_register(
            NavEntry(
                "audit",
                _("Audit trail"),
                "datasecurity:audit_event_list",
                "shield",
                900,
                has_any_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
            # SEC-2: the events past the retention, archived and signed.
            NavEntry(
                "audit_archives",
                _("Audit archives"),
                "datasecurity:audit_archive_list",
                "archive",
                905,
                has_any_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
            # SEC-1: administrators keep the backups; security auditors read them.
            NavEntry(
                "backups",
                _("Backups"),
                "datasecurity:backup_list",
                "archive",
                908,
                lambda viewer: is_staff(viewer) or viewer.has_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
            # SEC-2/SEC-3: the API tokens of the two-factor roles, for administrators and auditors.
            NavEntry(
                "twofa_tokens",
                _("API tokens of the two-factor roles"),
                "datasecurity:twofa_token_list",
                "key",
                950,
                lambda viewer: is_staff(viewer) or viewer.has_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
            # SEC-3: the security auditor's monitoring page and alerts.
            NavEntry(
                "security",
                _("Security monitoring"),
                "datasecurity:security_overview",
                "shield-exclamation",
                902,
                has_any_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
        )
        health_check_register(HealthCheck("backups", _("Backups and restore drills (SEC-1)"), backup_health))
        register(_backup_key_check, Tags.security, deploy=True)
        # SEC-4: the destruction of data no longer needed.
        navigation_register(*_destruction_entries())
        # Issue 14: the security auditor's dashboard opens on the alerts (SEC-2, SEC-3).
        dashboard_card_register(
            DashboardCard(
                "audit_alerts",
                "audit",
                "datasecurity/audit/dashboard_alerts.html",
                audit_dashboard_alerts,
                roles=(Role.SECURITY_AUDITOR,),
                needs_employee=False,
            )
        )


def _destruction_entries():
    """SEC-4's menu entries, in the security menu: the register (security auditor), the approvers'
    inbox (security auditors, company leaders), the requests and HR's retention schedule."""
    from callcenter.navigation import NavEntry, has_any_role
    from callcenter.roles import Role

    def requester(viewer) -> bool:
        return viewer.has_role(Role.HR) or viewer.user.is_staff

    def request_reader(viewer) -> bool:
        return requester(viewer) or viewer.has_role(Role.SECURITY_AUDITOR, Role.COMPANY_LEADER)

    return (
        NavEntry(
            "destruction_register",
            _("Destruction register"),
            "datasecurity:destruction_register",
            "journal-x",
            910,
            has_any_role(Role.SECURITY_AUDITOR),
            group="security",
        ),
        NavEntry(
            "destruction_inbox",
            _("Destructions to approve"),
            "datasecurity:destruction_inbox",
            "inbox",
            920,
            has_any_role(Role.SECURITY_AUDITOR, Role.COMPANY_LEADER),
            group="security",
        ),
        NavEntry(
            "destruction_requests",
            _("Destruction requests"),
            "datasecurity:destruction_request_list",
            "trash3",
            930,
            request_reader,
            group="security",
        ),
        NavEntry(
            "retention_schedule",
            _("Retention schedule"),
            "datasecurity:retention_schedule",
            "hourglass-split",
            940,
            requester,
            group="security",
        ),
    )
