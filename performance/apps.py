from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance appraisal")

    def ready(self):
        # The telephony metrics imported here are the call volumes of the complaint rate (CMP-4):
        # offered through the core app so complaints never imports performance.
        from callcenter.call_volumes import CallVolumeProvider, call_volume_provider_register

        from .selectors import metric_call_volumes, metric_call_volumes_by_team

        call_volume_provider_register(
            CallVolumeProvider(by_month=metric_call_volumes, by_team=metric_call_volumes_by_team)
        )
