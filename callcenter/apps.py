from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CallcenterConfig(AppConfig):
    name = "callcenter"
    verbose_name = _("Organisation")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from django.db.models.signals import post_delete

        from callcenter import services
        from callcenter.models import Department, GrantKind, Team
        from callcenter.navigation import NavEntry, everyone, has_any_role, is_staff, navigation_register
        from callcenter.providers import (
            DashboardCard,
            GrantTarget,
            SearchProvider,
            dashboard_card_register,
            grant_target_register,
            search_provider_register,
        )
        from callcenter.roles import Role
        from callcenter.selectors import (
            Scope,
            department_by_code_or_id,
            is_company_hr,
            people_search,
            policy_dashboard_upcoming,
            team_by_code_or_id,
        )

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
                group="people",
            ),
            # GEN-2, COC-8: upcoming leavers and their exit checklists.
            NavEntry(
                "leavers",
                _("Leavers"),
                "callcenter:leaver_list",
                "box-arrow-right",
                805,
                has_any_role(Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR),
                group="people",
            ),
            # GEN-1: HR takes people on, one by one or from the staff list.
            NavEntry("hire", _("Hire"), "callcenter:hire", "person-plus", 802, has_any_role(Role.HR), group="people"),
            NavEntry(
                "staff_import",
                _("Import staff"),
                "callcenter:staff_import",
                "upload",
                804,
                has_any_role(Role.HR),
                group="people",
            ),
            NavEntry(
                "org_chart", _("Org chart"), "callcenter:org_chart", "diagram-3", 805, everyone, group="organisation"
            ),
            # Company HR and administrators edit the org (issue 13).
            NavEntry(
                "org_manage",
                _("Departments and teams"),
                "callcenter:org_manage",
                "pencil-square",
                807,
                lambda viewer: is_company_hr(viewer.user),
                group="organisation",
            ),
            NavEntry(
                "policies",
                _("Policies"),
                "callcenter:policy_list",
                "sliders",
                810,
                has_any_role(Role.HR),
                group="organisation",
            ),
            NavEntry(
                "roles",
                _("Roles"),
                "callcenter:role_list",
                "person-badge",
                820,
                has_any_role(Role.HR),
                group="security",
            ),
            # Company HR only: an HR assistant limited to departments manages no grant.
            NavEntry(
                "access_grants",
                _("Access grants"),
                "callcenter:access_grants",
                "key",
                830,
                lambda viewer: is_company_hr(viewer.user),
                group="security",
            ),
            NavEntry("health", _("System health"), "callcenter:health", "activity", 950, is_staff, group="admin"),
            # The API's documentation for those who integrate or audit (HR, the complaint team's web form,
            # the security auditor, administrators); an agent's day needs no API link (issue 14).
            NavEntry(
                "api",
                _("API"),
                "api:docs",
                "code",
                990,
                lambda viewer: (
                    is_staff(viewer) or viewer.has_role(Role.HR, Role.COMPLAINT_HANDLER, Role.SECURITY_AUDITOR)
                ),
                group="admin",
            ),
        )

        # Issue 14: HR's queue shows the policy versions about to take effect.
        dashboard_card_register(
            DashboardCard(
                "policies_upcoming",
                "hr",
                "callcenter/dashboard/policies_upcoming.html",
                policy_dashboard_upcoming,
                roles=(Role.HR,),
                needs_employee=False,
                order=40,
            )
        )

        # Issue 14: the global search finds people of the reader's remit (name, initials, number).
        search_provider_register(
            SearchProvider("people", pgettext_lazy("search group", "People"), people_search, order=10)
        )

        # Access grants of the core's own objects (complaints registers its cases).
        grant_target_register(
            GrantTarget(
                kind=GrantKind.TEAM,
                model=Team,
                permission="callcenter.cover_team",
                find=team_by_code_or_id,
                label=lambda team: f"{team.code} {team.name}",
            )
        )
        grant_target_register(
            GrantTarget(
                kind=GrantKind.DEPARTMENT,
                model=Department,
                permission="callcenter.hr_department",
                find=department_by_code_or_id,
                label=lambda department: f"{department.code} {department.name}",
            )
        )

        def grant_target_deleted(sender, instance, **kwargs):
            services.access_grants_object_deleted(model=sender, object_pk=instance.pk)

        for model in (Team, Department):
            post_delete.connect(
                grant_target_deleted, sender=model, weak=False, dispatch_uid=f"access-grants-{model.__name__}"
            )
