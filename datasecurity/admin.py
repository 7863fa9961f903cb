from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from callcenter.admin import ReadOnlyAdmin
from datasecurity.models import AuditEvent, AuditPolicy, DestructionRecord, DestructionRequest


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_repr", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_repr", "object_id")
    show_full_result_count = False


@admin.register(AuditPolicy)
class AuditPolicyAdmin(ReadOnlyAdmin):
    list_display = ("effective_from", "audit_retention_days", "created_by", "created_at")


# SEC-4: the destruction register is append-only; requests change only through their services.
@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    list_display = ("destroyed_at", "category", "quantity", "method", "responsible", "approver", "request")
    list_filter = ("category", "method")
    show_full_result_count = False


@admin.register(DestructionRequest)
class DestructionRequestAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "requested_by", "status", "decided_by", "items_total", "items_done")
    list_filter = ("status",)


# Two-factor devices (django-otp's models): read-only here like every admin page, and without the
# secret key or the recovery codes. A lost device is reset with `manage.py twofa_reset` (audited).
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count")
    search_fields = ("user__username",)


@admin.register(StaticDevice)
class StaticDeviceAdmin(ReadOnlyAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    search_fields = ("user__username",)
