from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        self._plan_ready()

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
