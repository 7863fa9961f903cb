from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasecurityConfig(AppConfig):
    name = "datasecurity"
    verbose_name = _("Data security")
