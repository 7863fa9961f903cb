"""What an audit event's action code means to a reader (SEC-2): one registry of every action code
the project records, each with a translated label, for the auditor's page, its filter and its
export. ``datasecurity/tests/test_audit_actions.py`` collects the codes passed to the audit
writers anywhere in the project and fails when one has no label here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "AUDIT_ACTION_LABELS",
    "action_choices",
    "action_label",
]

AUDIT_ACTION_LABELS = {
    # the trail itself and signing in
    "audit.retention_purge": _("Old audit events purged (retention)"),
    "audit.export": _("Audit trail exported"),
    "audit.verify_request": _("Audit chain check requested"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.lockout": _("Account locked after failed sign-ins"),
    "bench.audit_append": _("Benchmark event (developer tooling)"),
    "demo.seed": _("Demo data loaded"),
    # accounts, roles, tokens, access grants
    "user.password_change": _("Password changed"),
    "user.language_set": _("Language preference changed"),
    "user.role_assign": _("Role given"),
    "user.role_remove": _("Role removed"),
    "user.hr_remit_limit": _("HR remit limited to departments"),
    "user.hr_remit_lift": _("HR remit limit lifted"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "access_grant.create": _("Access grant given"),
    "access_grant.start": _("Access grant took effect"),
    "access_grant.expire": _("Access grant expired"),
    "access_grant.revoke": _("Access grant ended early"),
    "access_grant.object_deleted": _("Access grant ended: its object was removed"),
    "access_grant.permission_removed": _("Granted permission removed"),
    "access_grant.permission_restored": _("Granted permission restored"),
    "policy.version_create": _("Policy version created"),
    "policy.defaults_install": _("Default policies installed"),
    # organisation and people
    "department.create": _("Department created"),
    "department.update": _("Department changed"),
    "team.create": _("Team created"),
    "team.update": _("Team changed"),
    "position.create": _("Position created"),
    "position.update": _("Position changed"),
    "employee.create": _("Employee created"),
    "employee.update": _("Employee record changed"),
    "employee.deactivate": _("Employee deactivated"),
    "employee.hire": _("Employee hired"),
    "employee.rehire": _("Employee rehired"),
    "employee.transfer": _("Employee transferred"),
    "employee.pay": _("Pay changed"),
    "employee.change": _("Employee record changed (dated change)"),
    "employee.transfer_schedule": _("Transfer scheduled"),
    "employee.pay_schedule": _("Pay change scheduled"),
    "employee.change_schedule": _("Change of the employee record scheduled"),
    "employee.leave_schedule": _("Leaving scheduled"),
    "employee.leave_cancel": _("Scheduled leaving cancelled"),
    "employee.leave_apply": _("Leaving applied"),
    "employment_event.cancel": _("Scheduled change cancelled"),
    "exit_item.tick": _("Exit checklist item done"),
    "exit_item.untick": _("Exit checklist item reopened"),
    "staff_import.commit": _("Staff list imported"),
    "directory.export": _("Staff directory exported"),
    # attendance
    "punch.record": _("Punch recorded"),
    "punch.device_batch": _("Punches received from a time clock"),
    "device.create": _("Time clock registered"),
    "punch_correction.submit": _("Punch correction requested"),
    "punch_correction.approve": _("Punch correction approved"),
    "punch_correction.reject": _("Punch correction rejected"),
    "punch_correction.withdraw": _("Punch correction withdrawn"),
    "shift_type.create": _("Shift type created"),
    "shift_type.update": _("Shift type changed"),
    "roster.assign": _("Roster assigned"),
    "roster.entry_set": _("Roster day changed"),
    "roster.default_apply": _("Default roster applied"),
    "attendance.daily_compute": _("Daily attendance computed"),
    "attendance.daily_recompute": _("Daily attendance recomputed"),
    "attendance.month_verify": _("Monthly attendance verified"),
    "attendance.summary_export": _("Attendance summary exported"),
    "leave_request.submit": _("Leave requested"),
    "leave_request.approve": _("Leave approved"),
    "leave_request.approve_step": _("Leave approved at one step"),
    "leave_request.reject": _("Leave rejected"),
    "leave_request.withdraw": _("Leave request withdrawn"),
    "leave_request.revoke": _("Approved leave revoked"),
    "leave_request.reroute": _("Leave request sent to another approver"),
    "leave_certificate.add": _("Leave certificate added"),
    "leave_certificate.view": _("Leave certificate opened"),
    "leave_balance.grant_annual": _("Annual leave granted"),
    "leave_balance.set": _("Leave balance set"),
    "leave_balance.milestone": _("Leave entitlement changed at a service milestone"),
    "leave_type.create": _("Leave type created"),
    "leave_type.update": _("Leave type changed"),
    "approval_delegation.create": _("Approval delegated"),
    "approval_delegation.cancel": _("Approval delegation cancelled"),
    # complaints
    "complaint.record": _("Complaint recorded"),
    "complaint.assign": _("Complaint assigned"),
    "complaint.note": _("Complaint note added"),
    "complaint.evidence": _("Complaint evidence noted"),
    "complaint.customer_contact": _("Talk with the customer recorded"),
    "complaint.department_contact": _("Talk with a department recorded"),
    "complaint.progress_sent": _("Progress update sent to the customer"),
    "complaint.plan": _("Resolution plan set"),
    "complaint.resolve": _("Complaint resolved"),
    "complaint.attach": _("File attached to a complaint"),
    "complaint.attachment_view": _("Complaint attachment opened"),
    "complaint.follow_up": _("Follow-up visit recorded"),
    "complaint.close": pgettext_lazy("audit action", "Complaint closed"),
    "complaint.pause": _("Complaint clock paused"),
    "complaint.resume": _("Complaint clock resumed"),
    "complaint.escalate": _("Complaint escalated (SLA)"),
    "complaint.contact_reveal": _("Customer contact revealed"),
    "complaint.hand_over": _("Complaint handed over"),
    "complaint.plan_hand_over": _("Complaints handed over in bulk"),
    "complaint.integration_create": _("Complaint integration created"),
    "complaint.integration_deactivate": _("Complaint integration deactivated"),
    "complaint.statistics_export": _("Complaint statistics exported"),
    # performance
    "indicator.create": _("Indicator created"),
    "indicator.update": _("Indicator changed"),
    "appraisal_template.create": _("Appraisal template created"),
    "appraisal_template.update": _("Appraisal template changed"),
    "metric_import.create": _("Call-centre metrics imported"),
    "appraisal_cycle.create": _("Appraisal cycle created"),
    "appraisal_cycle.open": _("Appraisal cycle opened"),
    "appraisal_cycle.open_chunk": _("Appraisal forms opened (batch)"),
    "appraisal_cycle.refresh_auto": _("Automatic appraisal items refreshed"),
    "appraisal_cycle.refresh_chunk": _("Automatic appraisal items refreshed (batch)"),
    "appraisal_cycle.remind": _("Appraisal reminders sent"),
    "appraisal_cycle.lock": _("Appraisal cycle locked"),
    "appraisal.self_save": _("Self-evaluation saved"),
    "appraisal.self_submit": _("Self-evaluation submitted"),
    "appraisal.superior_save": _("Superior's evaluation saved"),
    "appraisal.superior_submit": _("Superior's evaluation submitted"),
    "appraisal.interview_record": _("Appraisal interview recorded"),
    "appraisal.send_back": _("Appraisal sent back"),
    "bonus_sheet.prepare": _("Bonus sheet prepared"),
    "bonus_sheet.recompute": _("Bonus sheet recomputed"),
    "bonus_sheet.approve": _("Bonus sheet approved"),
    "bonus_sheet.correct": _("Bonus sheet corrected"),
    "bonus_sheet.adjust": _("Bonus line adjusted"),
    "bonus_sheet.adjustment_remove": _("Bonus line adjustment removed"),
    "bonus_sheet.read": _("Bonus sheet lines read"),
    "bonus_sheet.export_request": _("Bonus sheet export requested"),
    "bonus_sheet.export": _("Bonus sheet exported"),
    "bonus_sheet.export_tampered": _("Bonus sheet export refused: file altered"),
}


def action_label(code: str) -> str:
    """The translated label of an action code; an unknown code (an event older than its label) is
    shown as it was recorded."""
    label = AUDIT_ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """(code, label) for the auditor's action filter, by label in the reader's language."""
    return sorted(((code, str(label)) for code, label in AUDIT_ACTION_LABELS.items()), key=lambda c: c[1])
