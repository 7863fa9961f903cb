from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        # Each area registers its menu entries, cards and hooks (imports inside: Django imports
        # apps.py before the models are ready).
        self._sessions_ready()
        self._plan_ready()
        self._study_ready()
        self._records_ready()

    def _sessions_ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, has_any_role, is_employee_or_role, navigation_register
        from callcenter.roles import Role

        # --- sessions part (issue 16): the catalogue for every employee, sessions for those who
        # schedule, enrol or take part in them on others' behalf (TRN-2).
        navigation_register(
            NavEntry(
                "training_courses",
                _("Course catalogue"),
                "training:course_catalogue",
                "journal-bookmark",
                250,
                is_employee_or_role(Role.HR, Role.TRAINER),
                group="training",
            ),
            NavEntry(
                "training_sessions",
                _("Training sessions"),
                "training:session_list",
                "calendar-event",
                255,
                has_any_role(Role.HR, Role.TRAINER, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER),
                group="training",
            ),
        )

    def _plan_ready(self):
        """Part "plan" (TRN-1, TRN-3): the annual plan and the effect pages in the Training menu."""
        from callcenter.navigation import NavEntry, has_any_role, navigation_register
        from training.selectors import EFFECT_READ_ROLES, PLAN_READ_ROLES

        navigation_register(
            NavEntry(
                "training_plan",
                _("Training plan"),
                "training:plan_list",
                "calendar3",
                400,
                has_any_role(*PLAN_READ_ROLES),
                group="training",
            ),
            NavEntry(
                "training_effect",
                _("Training effect"),
                "training:effect_index",
                "graph-up-arrow",
                470,
                has_any_role(*EFFECT_READ_ROLES),
                group="training",
            ),
        )

    def _study_ready(self):
        """Self-study (TRN-2, SEC-3): the online courses open to the learner."""
        from callcenter.navigation import NavEntry, everyone, navigation_register

        navigation_register(
            NavEntry("training_study", _("Self-study"), "training:study", "laptop", 260, everyone, group="training"),
        )

    def _records_ready(self):
        """Records, certificates and compliance (issue 16, TRN-3): the menu entries and the
        supervisor's compliance card."""
        from callcenter.navigation import NavEntry, has_any_role, is_employee, navigation_register
        from callcenter.providers import DashboardCard, dashboard_card_register
        from callcenter.roles import Role
        from training.selectors import COMPLIANCE_REPORT_ROLES, RECORD_TEAM_ROLES, training_dashboard_compliance

        navigation_register(
            NavEntry(
                "my_training",
                _("My training"),
                "training:my_training",
                "mortarboard",
                400,
                is_employee,
                group="training",
            ),
            NavEntry(
                "training_records",
                _("Training records"),
                "training:records",
                "journal-check",
                440,
                has_any_role(*RECORD_TEAM_ROLES),
                group="training",
            ),
            NavEntry(
                "training_compliance",
                _("Training compliance"),
                "training:compliance",
                "clipboard-check",
                450,
                has_any_role(*COMPLIANCE_REPORT_ROLES),
                group="training",
            ),
            NavEntry(
                "training_mandatory",
                _("Mandatory courses"),
                "training:mandatory",
                "exclamation-diamond",
                460,
                has_any_role(Role.HR),
                group="training",
            ),
        )
        dashboard_card_register(
            DashboardCard(
                "training_compliance",
                "team",
                "training/compliance/dashboard_team.html",
                training_dashboard_compliance,
                roles=(Role.SUPERVISOR,),
                order=40,
            ),
        )
