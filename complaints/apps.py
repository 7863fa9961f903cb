from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Customer complaints")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, has_any_role, is_employee, is_employee_or_role, navigation_register
        from callcenter.roles import Role

        # CMP-1..CMP-4: everyone records complaints and sees those concerning them; the selector
        # decides which.
        navigation_register(
            NavEntry(
                "complaints",
                _("Complaints"),
                "complaints:queue",
                "megaphone",
                200,
                is_employee_or_role(Role.COMPLAINT_HANDLER),
            ),
            NavEntry("complaint_new", _("New complaint"), "complaints:new", "plus-circle", 210, is_employee),
            NavEntry(
                "complaint_statistics",
                _("Complaint statistics"),
                "complaints:statistics",
                "bar-chart",
                220,
                has_any_role(Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER, Role.HR),
            ),
        )
