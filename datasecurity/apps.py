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


class DatasecurityConfig(AppConfig):
    name = "datasecurity"
    verbose_name = _("Data security")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from callcenter.navigation import NavEntry, has_any_role, is_staff, navigation_register
        from callcenter.providers import DashboardCard, dashboard_card_register
        from callcenter.roles import Role
        from datasecurity.selectors import audit_dashboard_alerts

        # SEC-2: failed sign-ins and lockouts reach the audit trail.
        user_login_failed.connect(_sign_in_failed, dispatch_uid="datasecurity.audit_sign_in_failure")
        user_locked_out.connect(_locked_out, dispatch_uid="datasecurity.audit_lockout")
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
            # SEC-2/SEC-3: the API tokens of the two-factor roles, for administrators and auditors.
            NavEntry(
                "twofa_tokens",
                _("API tokens of the two-factor roles"),
                "datasecurity:twofa_token_list",
                "key",
                910,
                lambda viewer: is_staff(viewer) or viewer.has_role(Role.SECURITY_AUDITOR),
                group="security",
            ),
        )
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
