"""Attendance in the admin: read-only. Writes go through the pages and the API (services)."""

from django.contrib import admin

from attendance.models import (
    ApprovalDelegation,
    AttendancePolicy,
    DailyAttendance,
    Device,
    LeaveBalance,
    LeaveBalanceEntry,
    LeavePolicy,
    LeaveRequest,
    LeaveType,
    MonthVerification,
    Punch,
    PunchCorrection,
    ShiftType,
)
from callcenter.admin import ReadOnlyAdmin


@admin.register(Punch)
class PunchAdmin(ReadOnlyAdmin):
    """Punches can never be edited or deleted (ATT-2), here neither."""

    list_display = ("employee", "punched_at", "source", "device", "ip")
    list_filter = ("source",)
    list_select_related = ("employee", "device")
    search_fields = ("employee__name", "employee__employee_no")
    date_hierarchy = "punched_at"
    show_full_result_count = False


@admin.register(DailyAttendance)
class DailyAttendanceAdmin(ReadOnlyAdmin):
    list_display = ("employee", "work_date", "status", "late_minutes", "early_minutes", "worked_minutes")
    list_filter = ("status",)
    list_select_related = ("employee",)
    date_hierarchy = "work_date"
    show_full_result_count = False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(ReadOnlyAdmin):
    list_display = ("employee", "leave_type", "start_date", "end_date", "days", "status", "submitted_at")
    list_filter = ("status", "leave_type")
    list_select_related = ("employee", "leave_type")
    search_fields = ("employee__name", "employee__employee_no")
    date_hierarchy = "start_date"
    show_full_result_count = False


@admin.register(LeaveBalance)
class LeaveBalanceAdmin(ReadOnlyAdmin):
    list_display = ("employee", "leave_type", "year", "entitled_days", "used_days")
    list_filter = ("year", "leave_type")
    list_select_related = ("employee", "leave_type")
    search_fields = ("employee__name", "employee__employee_no")
    show_full_result_count = False


@admin.register(LeaveBalanceEntry)
class LeaveBalanceEntryAdmin(ReadOnlyAdmin):
    """The balance job's ledger (LV-3 milestones): never edited."""

    list_display = ("balance", "reason", "milestone_years", "effective_on", "days", "article", "created_at")
    list_filter = ("reason", "milestone_years")
    list_select_related = ("balance",)
    date_hierarchy = "effective_on"
    show_full_result_count = False


for model in (
    AttendancePolicy,
    ShiftType,
    Device,
    PunchCorrection,
    MonthVerification,
    LeavePolicy,
    LeaveType,
    ApprovalDelegation,
):
    admin.site.register(model, ReadOnlyAdmin)
