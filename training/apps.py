from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
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
