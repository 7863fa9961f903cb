"""Admin: a back office for superusers. Writes go through the services (audited)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from callcenter import services
from callcenter.models import AccountPolicy, Department, Employee, JobRun, Notification, Position, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "must_change_password", "last_login")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("SEC-2", {"fields": ("preferred_language", "must_change_password")}))


class OrgRecordAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        services.org_record_save(actor=request.user, instance=obj, changed_fields=form.changed_data, created=not change)

    def has_delete_permission(self, request, obj=None):
        return False  # GEN-1: history is kept; structures are retired, not deleted


@admin.register(Department)
class DepartmentAdmin(OrgRecordAdmin):
    list_display = ("code", "name", "manager", "leader_in_charge")
    raw_id_fields = ("manager", "leader_in_charge")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(OrgRecordAdmin):
    list_display = ("code", "name", "department", "supervisor")
    list_select_related = ("department", "supervisor")
    raw_id_fields = ("supervisor",)
    search_fields = ("code", "name")


@admin.register(Position)
class PositionAdmin(OrgRecordAdmin):
    list_display = ("code", "name")


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ("employee_no", "name", "department", "team", "position", "status")
    list_select_related = ("department", "team", "position")
    list_filter = ("status", "department")
    search_fields = ("employee_no", "name")
    readonly_fields = ("user", "status", "left_on")
    raw_id_fields = ("team",)

    def has_add_permission(self, request):
        return False  # created by employee_create (HR), which also creates the login

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.employee_update(actor=request.user, employee_id=obj.pk, **fields)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
