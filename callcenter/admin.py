"""Admin: a read-only back office for superusers (SEC-2, SEC-3).

Nothing written here may bypass the audited services, so users, groups, employees and every HR
record are read-only: roles are assigned on their own page (``/accounts/roles/``, audited), hiring,
changes and leavers through the HR pages. DRF's token admin is removed: API tokens are issued by
services. Departments, teams and positions are edited on the org pages (``/org/manage/``, company HR
and administrators, through ``department_save`` / ``team_save`` / ``position_save``, audited).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from callcenter.models import AccountPolicy, Department, Employee, JobRun, Notification, Position, Team, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    """Read-only: roles are assigned at /accounts/roles/, passwords changed by their owner,
    accounts created and ended with the employee (all audited)."""

    list_display = ("username", "email", "is_active", "is_staff", "must_change_password", "last_login")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("SEC-2", {"fields": ("preferred_language", "must_change_password")}))


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin, DjangoGroupAdmin):
    """Groups are the roles (callcenter.roles): made by a migration, assigned at /accounts/roles/."""


# API tokens (callcenter.models.ApiToken) are issued and revoked by services (audited) on the
# tokens pages, never in the admin: the model is not registered here.


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    """Read-only: edited on the org pages (department_save, audited; issue 13)."""

    list_display = ("code", "name", "parent", "manager", "leader_in_charge")
    list_select_related = ("parent", "manager", "leader_in_charge")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    """Read-only: edited on the org pages (team_save, audited; issue 13)."""

    list_display = ("code", "name", "department", "supervisor")
    list_select_related = ("department", "supervisor")
    search_fields = ("code", "name")


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    """Read-only: edited on the org pages (position_save, audited; issue 13)."""

    list_display = ("code", "name")


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    """Read-only: an employee is hired, changed and leaves through the HR services (audited)."""

    list_display = ("employee_no", "name", "department", "team", "position", "status")
    list_select_related = ("department", "team", "position")
    list_filter = ("status", "department")
    search_fields = ("employee_no", "name")


@admin.register(AccountPolicy)
class AccountPolicyAdmin(ReadOnlyAdmin):
    list_display = ("effective_from", "password_max_age_days", "created_by", "created_at")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "started_at", "finished_at", "status")
    list_filter = ("job", "status")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """For support: was it sent, e-mailed, read? Written only by ``notification_send``."""

    list_display = ("created_at", "recipient", "kind", "title", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    search_fields = ("recipient__username", "kind", "title")
    date_hierarchy = "created_at"
