from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, everyone, navigation_register

        # --- Self-study (TRN-2, SEC-3): the online courses open to the learner ---------------------
        navigation_register(
            NavEntry("training_study", _("Self-study"), "training:study", "laptop", 260, everyone, group="training"),
        )
