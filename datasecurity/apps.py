from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasecurityConfig(AppConfig):
    name = "datasecurity"
    verbose_name = _("Data security")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, has_any_role, navigation_register
        from callcenter.roles import Role

        navigation_register(
            NavEntry(
                "audit",
                _("Audit trail"),
                "datasecurity:audit_event_list",
                "shield",
                900,
                has_any_role(Role.SECURITY_AUDITOR),
            ),
        )
