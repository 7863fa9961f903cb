from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    name = "callcenter"
    verbose_name = _("Organisation")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, everyone, has_any_role, is_staff, navigation_register
        from callcenter.roles import Role
        from callcenter.selectors import Scope

        labels = {Scope.TEAM: _("My team"), Scope.DEPARTMENT: _("My area"), Scope.COMPANY: _("Employees")}
        navigation_register(
            NavEntry("dashboard", _("Dashboard"), "callcenter:dashboard", "house", 0, everyone),
            NavEntry(
                "employees",
                lambda viewer: labels[viewer.scope],
                "callcenter:employee_list",
                "people",
                800,
                lambda viewer: viewer.scope >= Scope.TEAM,
            ),
            NavEntry("policies", _("Policies"), "callcenter:policy_list", "sliders", 810, has_any_role(Role.HR)),
            NavEntry("roles", _("Roles"), "callcenter:role_list", "person-badge", 820, has_any_role(Role.HR)),
            NavEntry("health", _("System health"), "callcenter:health", "activity", 950, is_staff),
            NavEntry("api", _("API"), "api:docs", "code", 990, everyone),
        )
