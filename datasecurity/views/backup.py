"""Backup pages (SEC-1): administrators (staff) keep the plan, start backups and restore drills;
security auditors read the backups and the drills (no buttons, no edits)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import BackupSchedule, BackupTrigger

STATE_PARTIAL = "datasecurity/backup/list.html#backup-state"


class BackupPlanForm(forms.Form):
    schedule = forms.ChoiceField(label=gettext_lazy("Schedule"), choices=BackupSchedule.choices)
    daily_at = forms.TimeField(
        label=gettext_lazy("Daily at (local time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Used when the schedule is daily."),
    )
    interval_hours = forms.IntegerField(
        label=gettext_lazy("Every (hours)"),
        min_value=1,
        max_value=168,
        help_text=gettext_lazy("Used when the schedule is every N hours."),
    )
    keep_count = forms.IntegerField(
        label=gettext_lazy("Backups kept"),
        min_value=2,
        max_value=365,
        help_text=gettext_lazy(
            "At least 2. Older backups are deleted from both locations; never the last one proven by a restore."
        ),
    )
    responsible = forms.CharField(
        label=gettext_lazy("Responsible person (employee number)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The employee who answers for the backups (SEC-1)."),
    )


def _can_manage(request) -> bool:
    return selectors.can_manage_backups(request.user)


@role_required(Role.SECURITY_AUDITOR, allow_staff=True)
@require_GET
def backup_list(request):
    page = paginate(request, selectors.backup_run_list(user=request.user, filters=request.GET), 20)
    return render(
        request,
        "datasecurity/backup/list.html",
        {
            "plan": selectors.backup_plan_get(),
            "facts": selectors.backup_plan_facts(),
            "state": selectors.backup_state(user=request.user),
            "page_obj": page,
            "can_manage": _can_manage(request),
        },
    )


@role_required(Role.SECURITY_AUDITOR, allow_staff=True)
@require_GET
def backup_state(request):
    """The "now running" panel alone (htmx polls it while a backup or a drill runs)."""
    return render(request, STATE_PARTIAL, {"state": selectors.backup_state(user=request.user)})


@role_required(allow_staff=True)
def backup_plan_edit(request):
    plan = selectors.backup_plan_get()
    initial = {
        "schedule": plan.schedule,
        "daily_at": plan.daily_at,
        "interval_hours": plan.interval_hours,
        "keep_count": plan.keep_count,
        "responsible": plan.responsible.employee_no if plan.responsible_id else "",
    }
    form = BackupPlanForm(request.POST or None, initial=initial)
    if form_submit(
        request,
        form,
        lambda data: services.backup_plan_update(
            actor=request.user,
            schedule=data["schedule"],
            daily_at=data["daily_at"],
            interval_hours=data["interval_hours"],
            keep_count=data["keep_count"],
            responsible_employee_no=data["responsible"],
        ),
        success=_("The backup plan is saved (SEC-1)."),
    ):
        return redirect("datasecurity:backup_list")
    return render(
        request,
        "datasecurity/backup/plan.html",
        {"form": form, "plan": plan, "facts": selectors.backup_plan_facts()},
        status=form_status(form),
    )


@role_required(allow_staff=True)
@require_POST
def backup_start(request):
    action_run(
        request,
        lambda: services.backup_request(actor=request.user, trigger=BackupTrigger.MANUAL),
        success=_("The backup is queued: its progress shows on this page."),
    )
    return redirect("datasecurity:backup_list")


@role_required(allow_staff=True)
@require_POST
def restore_drill_start(request):
    raw = request.POST.get("backup", "")
    if raw and not raw.isdigit():
        messages.error(request, _("Choose a backup."))
        return redirect("datasecurity:backup_list")
    action_run(
        request,
        lambda: services.restore_drill_request(
            actor=request.user, backup_id=int(raw) if raw else None, trigger=BackupTrigger.MANUAL
        ),
        success=_("The restore drill is queued: the backup is restored into a scratch database and checked."),
    )
    return redirect("datasecurity:backup_list")


@role_required(Role.SECURITY_AUDITOR, allow_staff=True)
@require_GET
def restore_drill_list(request):
    raw = request.GET.get("backup", "")
    backup_id = int(raw) if raw.isdigit() else None
    page = paginate(request, selectors.restore_drill_list(user=request.user, backup_id=backup_id), 20)
    return render(
        request,
        "datasecurity/backup/drills.html",
        {"page_obj": page, "labels": selectors.DRILL_CHECK_LABELS, "backup_id": backup_id},
    )


urlpatterns = [
    path("backups/", backup_list, name="backup_list"),
    path("backups/state/", backup_state, name="backup_state"),
    path("backups/plan/", backup_plan_edit, name="backup_plan_edit"),
    path("backups/start/", backup_start, name="backup_start"),
    path("backups/drills/", restore_drill_list, name="restore_drill_list"),
    path("backups/drills/start/", restore_drill_start, name="restore_drill_start"),
]
