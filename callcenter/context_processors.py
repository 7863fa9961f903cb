"""Role-aware navigation and the notification bell for the base template."""

import functools

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .roles import Role, has_role, user_roles
from .selectors import employee_of, notification_unread_count
from .visibility import Scope, user_scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": [], "notification_unread_count": 0}
    items = [{"url": reverse("dashboard"), "label": _("Dashboard"), "icon": "house", "key": "dashboard"}]
    if employee_of(user) is not None:
        items.append(
            {"url": reverse("attendance_clock"), "label": _("Clock in / out"), "icon": "fingerprint", "key": "clock"}
        )
        items.append(
            {
                "url": reverse("attendance_my_month"),
                "label": _("My attendance"),
                "icon": "calendar-check",
                "key": "my_attendance",
            }
        )
        items.append(
            {
                "url": reverse("attendance_corrections"),
                "label": _("Corrections"),
                "icon": "pencil-square",
                "key": "corrections",
            }
        )
        items.append({"url": reverse("attendance_leave"), "label": _("My leave"), "icon": "airplane", "key": "leave"})
    if has_role(user, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER):
        items.append(
            {"url": reverse("attendance_leave_inbox"), "label": _("Leave inbox"), "icon": "inbox", "key": "leave_inbox"}
        )
    if has_role(user, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR):
        items.append(
            {"url": reverse("attendance_board"), "label": _("Team board"), "icon": "people-fill", "key": "board"}
        )
        items.append({"url": reverse("attendance_roster"), "label": _("Roster"), "icon": "calendar3", "key": "roster"})
        items.append(
            {
                "url": reverse("attendance_summary"),
                "label": _("Monthly attendance"),
                "icon": "table",
                "key": "attendance_summary",
            }
        )
        items.append(
            {
                "url": reverse("attendance_leave_calendar"),
                "label": _("Leave calendar"),
                "icon": "calendar-range",
                "key": "leave_calendar",
            }
        )
    if has_role(user, Role.HR):
        # Types and balances are tabs of the leave pages, so HR gets one entry for all three.
        items.append(
            {
                "url": reverse("attendance_leave_requests"),
                "label": _("Leave administration"),
                "icon": "journal-text",
                "key": "leave_requests",
            }
        )
    if has_role(user, Role.HR, Role.SUPERVISOR):
        items.append(
            {
                "url": reverse("attendance_shift_types"),
                "label": _("Shift types"),
                "icon": "clock-history",
                "key": "shifts",
            }
        )
    # CMP-1..CMP-4: everyone records complaints and sees those concerning them; the selector
    # decides which.
    is_employee = employee_of(user) is not None
    if is_employee or has_role(user, Role.COMPLAINT_HANDLER):
        items.append(
            {"url": reverse("complaint_queue"), "label": _("Complaints"), "icon": "megaphone", "key": "complaints"}
        )
    if is_employee:
        items.append(
            {
                "url": reverse("complaint_new"),
                "label": _("New complaint"),
                "icon": "plus-circle",
                "key": "complaint_new",
            }
        )
    if has_role(user, Role.COMPLAINT_HANDLER, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER, Role.HR):
        try:
            stats_url = reverse("complaint_statistics")
        except NoReverseMatch:  # the statistics page is not installed
            stats_url = None
        if stats_url:
            label = _("Complaint statistics")
            items.append({"url": stats_url, "label": label, "icon": "bar-chart", "key": "complaint_statistics"})
    # PRF-1..PRF-4: the appraisal pages. "performance*" keys match the nav_active of the views.
    team_reader = has_role(user, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
    if is_employee or team_reader:
        url = reverse("performance_my_appraisal" if is_employee else "performance_team_appraisals")
        items.append({"url": url, "label": _("Appraisals"), "icon": "award", "key": "performance"})
    if team_reader:
        items.append(
            {
                "url": reverse("performance_metric_month"),
                "label": _("Call metrics"),
                "icon": "headset",
                "key": "performance_metrics",
            }
        )
    if has_role(user, Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER):
        items.append(
            {
                "url": reverse("performance_cycle_list"),
                "label": _("Appraisal cycles"),
                "icon": "arrow-repeat",
                "key": "performance_cycles",
            }
        )
    if has_role(user, Role.HR):
        items.append(
            {
                "url": reverse("performance_indicator_list"),
                "label": _("Indicators and templates"),
                "icon": "list-check",
                "key": "performance_setup",
            }
        )
        items.append(
            {
                "url": reverse("performance_metric_imports"),
                "label": _("Metrics import"),
                "icon": "upload",
                "key": "performance_metrics_imports",
            }
        )
    if has_role(user, Role.HR, Role.COMPANY_LEADER):
        items.append(
            {
                "url": reverse("performance_bonus_sheet_list"),
                "label": _("Bonus sheets"),
                "icon": "cash-stack",
                "key": "performance_bonus",
            }
        )
    scope = user_scope(user)
    if scope >= Scope.TEAM:
        label = {Scope.TEAM: _("My team"), Scope.DEPARTMENT: _("My area"), Scope.COMPANY: _("Employees")}[scope]
        items.append({"url": reverse("employee_list"), "label": label, "icon": "people", "key": "employees"})
    if has_role(user, Role.HR):
        items.append({"url": reverse("policy_list"), "label": _("Policies"), "icon": "sliders", "key": "policies"})
    if has_role(user, Role.SECURITY_AUDITOR):
        items.append({"url": reverse("audit_event_list"), "label": _("Audit trail"), "icon": "shield", "key": "audit"})
    if user.is_staff or user.is_superuser:
        items.append({"url": reverse("health"), "label": _("System health"), "icon": "activity", "key": "health"})
    items.append({"url": reverse("api_docs"), "label": _("API"), "icon": "code", "key": "api"})
    roles = user_roles(user)
    role_labels = [label for value, label in Role.choices if value in roles]
    # Lazy and cached: one COUNT when a template shows the bell, none for fragments that do not.
    unread = functools.cache(lambda: notification_unread_count(user=user))
    return {"nav_items": items, "user_role_labels": role_labels, "notification_unread_count": unread}
