from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance and leave")

    def ready(self):
        # Imported here: Django imports apps.py before the models are ready.
        from attendance.selectors import (
            CORRECTION_DECIDER_ROLES,
            attendance_dashboard_corrections,
            attendance_dashboard_team_now,
            attendance_dashboard_today,
            leave_dashboard_decide,
            leave_dashboard_mine,
            leave_request_search,
        )
        from attendance.services import leave_requests_reroute, month_is_locked, roster_default_apply
        from callcenter.navigation import NavEntry, has_any_role, is_employee, navigation_register
        from callcenter.providers import (
            DashboardCard,
            FinalMonthProvider,
            SearchProvider,
            dashboard_card_register,
            employee_hired_hook_register,
            final_month_provider_register,
            reporting_line_handler_register,
            search_provider_register,
        )
        from callcenter.roles import Role

        # A transfer applied (issue 13): pending leave approvals follow the new reporting line (LV-4).
        reporting_line_handler_register(
            "attendance.leave",
            lambda change: leave_requests_reroute(employee_id=change.employee_id, actor=change.actor),
        )

        # GEN-1, ATT-1: a new (or rehired) employee gets the default roster from the hire date.
        employee_hired_hook_register("attendance.default_roster", roster_default_apply)

        approvers = has_any_role(Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)
        team_readers = has_any_role(Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
        navigation_register(
            NavEntry(
                "clock", _("Clock in / out"), "attendance:clock", "fingerprint", 100, is_employee, group="attendance"
            ),
            NavEntry(
                "my_attendance",
                _("My attendance"),
                "attendance:my_month",
                "calendar-check",
                110,
                is_employee,
                group="attendance",
            ),
            NavEntry(
                "corrections",
                _("Corrections"),
                "attendance:corrections",
                "pencil-square",
                120,
                is_employee,
                group="attendance",
            ),
            NavEntry("leave", _("My leave"), "attendance:leave", "airplane", 130, is_employee, group="leave"),
            NavEntry("leave_inbox", _("Leave inbox"), "attendance:leave_inbox", "inbox", 140, approvers, group="leave"),
            NavEntry(
                "board", _("Team board"), "attendance:board", "people-fill", 150, team_readers, group="attendance"
            ),
            NavEntry("roster", _("Roster"), "attendance:roster", "calendar3", 160, team_readers, group="attendance"),
            NavEntry(
                "attendance_summary",
                _("Monthly attendance"),
                "attendance:summary",
                "table",
                170,
                team_readers,
                group="attendance",
            ),
            NavEntry(
                "leave_calendar",
                _("Leave calendar"),
                "attendance:leave_calendar",
                "calendar-range",
                180,
                team_readers,
                group="leave",
            ),
            # Types and balances are tabs of the leave pages, so HR gets one entry for all three.
            NavEntry(
                "leave_requests",
                _("Leave administration"),
                "attendance:leave_requests",
                "journal-text",
                190,
                has_any_role(Role.HR),
                group="leave",
            ),
            NavEntry(
                "shifts",
                _("Shift types"),
                "attendance:shift_types",
                "clock-history",
                195,
                has_any_role(Role.HR, Role.SUPERVISOR),
                group="attendance",
            ),
        )

        # The dashboards (issues 13, 14): the reader's day and leave, the requests waiting for them
        # (LV-4, ATT-2), and for a supervisor who is late or absent right now (ATT-4, ATT-5).
        dashboard_card_register(
            DashboardCard(
                "attendance_today",
                "mine",
                "attendance/punches/dashboard_today.html",
                attendance_dashboard_today,
                # Every rostered employee, not agents only (ATT-1, ATT-2): the loader decides.
                order=5,
            ),
            DashboardCard("leave_mine", "mine", "attendance/leave/dashboard_mine.html", leave_dashboard_mine, order=10),
            DashboardCard(
                "leave_decide", "decide", "attendance/leave/dashboard_decide.html", leave_dashboard_decide, order=10
            ),
            DashboardCard(
                "corrections_decide",
                "decide",
                "attendance/corrections/dashboard_decide.html",
                attendance_dashboard_corrections,
                roles=CORRECTION_DECIDER_ROLES,
                order=15,
                needs_employee=False,
            ),
            DashboardCard(
                "team_now",
                "team",
                "attendance/punches/dashboard_team_now.html",
                attendance_dashboard_team_now,
                roles=(Role.SUPERVISOR,),
                order=10,
            ),
        )

        # Issue 14: the global search finds leave requests by number or person (LV-4's visibility).
        search_provider_register(SearchProvider("leave", _("Leave requests"), leave_request_search, order=30))

        # The leaver's exit checklist (GEN-2) asks whether their final month is verified (ATT-5).
        final_month_provider_register(FinalMonthProvider(verified=month_is_locked))
        _destruction_register()


def _destruction_register():
    """SEC-4: leave certificates let go once no longer needed (the retention schedule of
    ``datasecurity``; the default and its reason in docs/operations.md)."""
    from attendance.selectors import leave_certificates_due
    from attendance.services import leave_certificates_destroy
    from datasecurity.services import DestructionCategory, DestructionMethod, destruction_category_register

    destruction_category_register(
        DestructionCategory(
            code="leave_certificates",
            label=_("Leave certificates (hospital certificates)"),
            article="SEC-4",
            default_days=2 * 365,
            methods=(DestructionMethod.FILE_DELETE,),
            due=leave_certificates_due,
            execute=leave_certificates_destroy,
            reason=_(
                "Two years after upload: health data kept only while a leave decision or its pay can be "
                "challenged (the 1-year labour-arbitration limit, with a year of margin); the request stays."
            ),
            order=30,
            unit=_("files"),
        )
    )
