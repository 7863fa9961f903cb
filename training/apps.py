from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        _records_register()


def _records_register():
    """Records, certificates and compliance (issue 16, TRN-3): the menu entries and the
    supervisor's compliance card."""
    from django.utils.translation import pgettext_lazy

    from callcenter.navigation import NAV_GROUPS, NavEntry, NavGroup, has_any_role, is_employee, navigation_register
    from callcenter.providers import DashboardCard, dashboard_card_register
    from callcenter.roles import Role
    from training.selectors import COMPLIANCE_REPORT_ROLES, RECORD_TEAM_ROLES, training_dashboard_compliance

    # The training menu group (the first part registered creates it; the others find it).
    NAV_GROUPS.setdefault("training", NavGroup("training", pgettext_lazy("menu", "Training"), "mortarboard", 400))
    navigation_register(
        NavEntry(
            "my_training", _("My training"), "training:my_training", "mortarboard", 400, is_employee, group="training"
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
