from django.contrib import admin

from callcenter.admin import ReadOnlyAdmin
from datasecurity.models import AuditEvent, AuditPolicy


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_repr", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_repr", "object_id")
    show_full_result_count = False


@admin.register(AuditPolicy)
class AuditPolicyAdmin(ReadOnlyAdmin):
    list_display = ("effective_from", "audit_retention_days", "created_by", "created_at")
