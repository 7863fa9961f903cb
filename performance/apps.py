from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = _("Performance appraisal")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from callcenter.navigation import NavEntry, has_any_role, navigation_register
        from callcenter.providers import (
            CallVolumeProvider,
            DashboardCard,
            call_volume_provider_register,
            dashboard_card_register,
        )
        from callcenter.roles import Role
        from performance.selectors import (
            appraisal_dashboard_cycle,
            appraisal_dashboard_decide,
            appraisal_dashboard_mine,
            bonus_dashboard_queue,
            metric_call_volumes,
            metric_call_volumes_by_team,
        )

        # The telephony metrics imported here are the call volumes of the complaint rate (CMP-4):
        # offered through the core app so complaints never imports performance.
        call_volume_provider_register(
            CallVolumeProvider(by_month=metric_call_volumes, by_team=metric_call_volumes_by_team)
        )

        # PRF-1..PRF-4: the appraisal pages. The "performance*" keys match the views' nav_active.
        team_readers = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
        navigation_register(
            NavEntry(
                "performance",
                _("Appraisals"),
                lambda viewer: "performance:my_appraisal" if viewer.is_employee else "performance:team_appraisals",
                "award",
                300,
                lambda viewer: viewer.is_employee or viewer.has_role(*team_readers),
                group="appraisal",
            ),
            NavEntry(
                "performance_metrics",
                _("Call metrics"),
                "performance:metric_month",
                "headset",
                310,
                has_any_role(*team_readers),
                group="appraisal",
            ),
            NavEntry(
                "performance_cycles",
                _("Appraisal cycles"),
                "performance:cycle_list",
                "arrow-repeat",
                320,
                has_any_role(Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER),
                group="appraisal",
            ),
            NavEntry(
                "performance_setup",
                _("Indicators and templates"),
                "performance:indicator_list",
                "list-check",
                330,
                has_any_role(Role.HR),
                group="appraisal",
            ),
            NavEntry(
                "performance_metrics_imports",
                _("Metrics import"),
                "performance:metric_imports",
                "upload",
                340,
                has_any_role(Role.HR),
                group="appraisal",
            ),
            NavEntry(
                "performance_bonus",
                _("Bonus sheets"),
                "performance:bonus_sheet_list",
                "cash-stack",
                350,
                has_any_role(Role.HR, Role.COMPANY_LEADER),
                group="appraisal",
            ),
        )

        # The dashboards (issue 13): the reader's appraisal, and the appraisals they evaluate (PRF-3).
        dashboard_card_register(
            DashboardCard(
                "appraisal_mine",
                "mine",
                "performance/appraisals/dashboard_mine.html",
                appraisal_dashboard_mine,
                order=20,
            ),
            DashboardCard(
                "appraisal_decide",
                "decide",
                "performance/appraisals/dashboard_decide.html",
                appraisal_dashboard_decide,
                order=20,
            ),
            # Issue 14: HR's queue, the cycle's progress and the bonus sheets (PRF-2, PRF-4).
            DashboardCard(
                "appraisal_cycle",
                "hr",
                "performance/cycles/dashboard_cycle.html",
                appraisal_dashboard_cycle,
                roles=(Role.HR,),
                needs_employee=False,
                order=20,
            ),
            DashboardCard(
                "bonus_queue",
                "hr",
                "performance/bonus/dashboard_queue.html",
                bonus_dashboard_queue,
                roles=(Role.HR,),
                needs_employee=False,
                order=30,
            ),
        )
        _destruction_register()
        _training_feed_register()


def _destruction_register():
    """SEC-4: telephony metrics let go once no longer needed (the retention schedule of
    ``datasecurity``; the default and its reason in docs/operations.md)."""
    from datasecurity.services import DestructionCategory, DestructionMethod, destruction_category_register
    from performance.selectors import agent_metrics_due
    from performance.services import agent_metrics_destroy

    destruction_category_register(
        DestructionCategory(
            code="telephony_metrics",
            label=_("Telephony metrics per agent and day"),
            article="SEC-4",
            default_days=2 * 365,
            methods=(DestructionMethod.ROW_DELETE,),
            due=agent_metrics_due,
            execute=agent_metrics_destroy,
            reason=_(
                "Two years: a monthly appraisal and its bonus (PRF-2, PRF-4) and the annual review that "
                "reads them are settled by then; the teams' call volumes (no person) stay for CMP-4."
            ),
            order=40,
            unit=_("agent-days"),
        )
    )


def _training_feed_register():
    """Issue 16 (part "plan"): the indicator values the training plan's needs panel (TRN-1) and its
    effect analysis (TRN-3) read, offered through the core so training never imports performance."""
    from callcenter.providers import TrainingIndicatorProvider, training_indicator_provider_register
    from performance.selectors import (
        training_feed_employee_values,
        training_feed_indicators,
        training_feed_team_averages,
    )

    training_indicator_provider_register(
        TrainingIndicatorProvider(
            indicators=training_feed_indicators,
            team_averages=training_feed_team_averages,
            employee_values=training_feed_employee_values,
        )
    )
