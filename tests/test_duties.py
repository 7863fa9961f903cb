"""Separation of duties (SEC-2: no overreach), proved for every privileged service of the product.

The rule (:mod:`callcenter.duties`): nobody acts in a privileged capacity on their own record.

- One scenario per registered privileged action: the role that holds the power acts on their own
  record → refused with ``own_record`` (403) and nothing changed, not even the audit trail; on a
  colleague's record → done. ``test_every_privileged_service_has_a_scenario`` fails when a service
  is registered without one, so a new privileged service brings its scenario.
- Every public service of every app is either registered or listed in :data:`NOT_PRIVILEGED` with
  the reason it is not (docs/architecture.md, "Separation of duties"): a new service takes a side.
- The two attacks reproduced on main, over HTTP (API and pages): HR adds a 5,000.00 reward for
  themselves to a draft bonus sheet and approves it alone; HR sets their own leave entitlement.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

import attendance.services as attendance_services
import callcenter.services as core_services
import complaints.services as complaint_services
import datasecurity.services as datasecurity_services
import performance.selectors as performance_selectors
import performance.services as performance_services
import training.services as training_services
import training.tests.factories as training_factories
from attendance.models import LeaveBalance, LeaveRequest, PunchCorrection, RosterEntry
from attendance.tests.factories import leave_type, next_monday, roster_weeks
from callcenter.duties import PRIVILEGED_SERVICES, privileged_service, refuse_own_record
from callcenter.errors import PermissionDeniedError
from callcenter.models import (
    AccessGrant,
    Department,
    Employee,
    EmploymentEvent,
    ExitChecklist,
    ExitChecklistItem,
    GrantKind,
    Team,
)
from callcenter.roles import Role
from callcenter.tests import factories as f
from complaints.models import Complaint
from complaints.tests.factories import complaint_recorded
from datasecurity.models import AuditEvent, DestructionRequest, SecurityAlert
from datasecurity.tests.factories.destruct import closed_complaint
from performance.exports import bonus_sheet_html
from performance.models import AgentDailyMetric, Appraisal, BonusLine, BonusSheet
from performance.tests.factories import (
    BONUS_MONTH,
    appraisal_for,
    approver_hr,
    bonus_appraisal_for,
    bonus_cycle_for,
    csv_bytes,
    last_month_day,
    metric_row,
    push_row,
    scores,
)
from training.models import Course, TrainingRecord
from training.models import Enrolment as TrainingEnrolment

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["callcenter", "datasecurity", "attendance", "complaints", "training", "discipline", "performance"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


# --- The registry: every privileged service has its scenario, every service takes a side ------------

# Public services that are not privileged, and why (docs/architecture.md, "Separation of duties").
_SELF_SERVICE = "self-service: acts on the actor's own record by design, nobody else's"
_COMPANY = "company-wide set-up or a whole population, not one person's record"
_SYSTEM = "a job or an integration without a person acting, or a helper that writes nothing"
_READ = "a read, audited; no record is changed"
_CREATE = "creates a new record about someone else (or a new matter); nobody's existing record is changed"
_SHEET = "a whole bonus sheet computed by rule from others' decisions; held by the two-person rule"
NOT_PRIVILEGED = {
    # the core
    "callcenter.job_runs_prune": _SYSTEM,
    "callcenter.employment_events_record_applied": (
        "the bulk form of employment_event_record, written inside the staff import that decides it"
    ),
    "callcenter.employment_event_record": (
        "a step of the history, written inside the hiring, transfer and leaving services that decide it"
    ),
    "callcenter.api_token_create": _SELF_SERVICE + " (a token is always for one's own account)",
    "callcenter.api_token_revoke": "ends a token (one's own, or by HR anyone's); it never widens access",
    "callcenter.user_api_tokens_end": _SYSTEM + " (password change and deactivation end the tokens)",
    "callcenter.api_token_authenticate": _SYSTEM,
    "callcenter.api_token_key_hash": _SYSTEM,
    "callcenter.access_grant_revoke": "ends someone's access early; it never widens anyone's",
    "callcenter.hr_remit_limit_lift": (
        "company HR only, whose remit is not limited: nobody can lift their own limit (a limited "
        "HR assistant is refused the function)"
    ),
    "callcenter.access_grants_sync": _SYSTEM,
    "callcenter.access_grants_object_deleted": _SYSTEM,
    "callcenter.hr_company_wide_require": _SYSTEM,
    "callcenter.sessions_expired_clear": _SYSTEM,
    "callcenter.user_language_set": _SELF_SERVICE,
    "callcenter.user_password_change": _SELF_SERVICE + " (a reset by HR sets a first-login password)",
    "callcenter.notification_email_send": _SYSTEM,
    "callcenter.notification_mark_read": _SELF_SERVICE,
    "callcenter.notification_send": _SYSTEM,
    "callcenter.job_run_finish": _SYSTEM,
    "callcenter.job_run_start": _SYSTEM,
    "callcenter.employee_create": _CREATE,
    "callcenter.employee_change_record": (
        "the history step of employee_update's correction, written inside that privileged service"
    ),
    "callcenter.employment_events_apply_due": _SYSTEM
    + " (people-changes-apply: HR decided each change when recording it)",
    "callcenter.position_save": _COMPANY + " (a position names nobody)",
    "callcenter.directory_export": _READ,
    "callcenter.staff_import_preview": (
        "a dry run: checks a staff file and stages it for its importer; no record is changed"
    ),
    "callcenter.staff_import_template": _SYSTEM + " (the staff file's empty template)",
    "callcenter.one_time_password_new": _SYSTEM + " (makes a password and its hash for the hiring services)",
    "callcenter.leavers_deactivate_due": _SYSTEM + " (GEN-2: the leavings HR set, carried out on their date)",
    "callcenter.policy_defaults_install": _COMPANY,
    "callcenter.policy_version_create": _COMPANY,
    # the audit trail and private files
    "datasecurity.audit_record": _SYSTEM,
    "datasecurity.audit_record_many": _SYSTEM,
    "datasecurity.model_changes": _SYSTEM,
    "datasecurity.snapshot": _SYSTEM,
    "datasecurity.private_open_audited": _READ,
    "datasecurity.file_sha256": _SYSTEM,
    "datasecurity.private_storage": _SYSTEM,
    "datasecurity.upload_check": _SYSTEM,
    "datasecurity.upload_store": _SYSTEM,
    "datasecurity.audit_checkpoint_write": _SYSTEM,
    "datasecurity.audit_export": _READ + " (the auditor's export of the filtered trail)",
    "datasecurity.audit_export_request": (
        "the auditor queues a background export of the filtered trail: a read in the background, the request "
        "audited; no person's record is changed"
    ),
    "datasecurity.audit_export_render": _SYSTEM + " (the worker writes the file of a requested export)",
    "datasecurity.audit_export_open": _READ + " (any security auditor downloads a finished export of the trail)",
    "datasecurity.audit_chain_verify_request": (
        "the auditor asks for the chain to be verified: a read in the background, the request audited"
    ),
    "datasecurity.audit_db_roles_apply": "the operator's database set-up; no person's record",
    "datasecurity.audit_lockout_record": _SYSTEM + " (records who failed to sign in; grants nothing)",
    "datasecurity.audit_sign_in_failure_record": _SYSTEM + " (records who failed to sign in; grants nothing)",
    "datasecurity.audit_retention_purge": (
        "retention of the whole trail by the policy in force: archived to both locations, then deleted through "
        "the owner role (SEC-2)"
    ),
    "datasecurity.audit_archive_open": _READ + " (any security auditor downloads an audit archive)",
    "datasecurity.audit_archive_verification_save": _SYSTEM + " (the outcome of audit_verify on each archive)",
    # backups (SEC-1): copies of the whole database; no person's record is decided
    "datasecurity.backup_key": _SYSTEM,
    "datasecurity.backup_plan_update": _COMPANY + " (the plan names a responsible person, decides nothing of theirs)",
    "datasecurity.backup_request": _SYSTEM + " (an administrator copies the whole database; audited)",
    "datasecurity.backup_run_due": _SYSTEM,
    "datasecurity.backup_run_execute": _SYSTEM,
    "datasecurity.backup_restore_into": "the operator's bad-day restore into a new database; never the live one",
    "datasecurity.restore_drill_request": _SYSTEM + " (a restore into a scratch database, dropped afterwards)",
    "datasecurity.restore_drill_due": _SYSTEM,
    "datasecurity.restore_drill_execute": _SYSTEM,
    "datasecurity.security_monitor_scan": _SYSTEM + " (SEC-3: counts the trail for the security page, raises alerts)",
    "datasecurity.security_permission_denial_record": _SYSTEM + " (SEC-3: records that someone was refused)",
    "datasecurity.security_sign_in_record": _SYSTEM + " (SEC-3: records a sign-in; grants nothing)",
    # destruction of data no longer needed (SEC-4)
    "datasecurity.destruction_category_register": _SYSTEM + " (the apps declare their data categories at start-up)",
    "datasecurity.retention_period_set": _COMPANY + " (how long a category of data is kept, for everyone)",
    "datasecurity.destruction_request_create": _CREATE + " (a request to destroy what is due; another person decides)",
    "datasecurity.destruction_request_execute": _SYSTEM + " (the job carries out a request approved by another person)",
    "datasecurity.destruction_requests_resume": _SYSTEM + " (re-runs approved requests whose task was lost)",
    "datasecurity.destruction_record_write": _SYSTEM + " (the register's writer, for the jobs that destroy)",
    "datasecurity.destruction_certificate": _READ + " (the auditor's certificate of a destruction record)",
    "complaints.complaint_contacts_anonymise": _SYSTEM + " (SEC-4: the destruction job, once approved)",
    "complaints.complaint_evidence_destroy": _SYSTEM + " (SEC-4: the destruction job, once approved)",
    "attendance.leave_certificates_destroy": _SYSTEM + " (SEC-4: the destruction job, once approved)",
    "performance.agent_metrics_destroy": _SYSTEM + " (SEC-4: the destruction job, once approved)",
    # training (TRN-3)
    "training.training_record_write": (
        "the records' one writer, called inside the session, self-study and HR services that decide"
    ),
    # training: the annual plan and its effect (TRN-1, TRN-3; part "plan")
    "training.plan_create": "the company's annual training plan: no employee's record",
    "training.plan_publish": "the company's annual training plan: no employee's record",
    "training.plan_item_add": "an item of the company's training plan: no employee's record",
    "training.plan_item_change": "an item of the company's training plan: no employee's record",
    "training.plan_item_remove": "an item of the company's training plan: no employee's record",
    "training.effect_review_record": "a conclusion on a course or a plan item, about no one's record",
    # training: courses and sessions (TRN-2)
    "training.course_create": _COMPANY + " (the course catalogue, nobody's record)",
    "training.course_update": _COMPANY + " (the course catalogue, nobody's record)",
    "training.session_create": _COMPANY + " (a session of a course, nobody's record)",
    "training.session_update": _COMPANY + " (a session of a course; enrollees' blocked time follows)",
    "training.session_cancel": _COMPANY + " (a session of a course; enrollees are notified)",
    "training.enrolment_create": (
        "schedules a seat, judges nothing; one's own enrolment is self-service (open courses only)"
    ),
    "training.enrolment_cancel": "frees a seat before the session, judges nothing; one's own is self-service",
    "training.satisfaction_submit": _SELF_SERVICE + " (one's own survey answer, TRN-2)",
    "attendance.off_phone_activity_set": (
        "the writer of off-phone time, called inside the services that decide (a training enrolment)"
    ),
    "attendance.off_phone_activity_clear": (
        "the writer of off-phone time, called inside the services that decide (a cancelled enrolment)"
    ),
    # training records, certificates and compliance (TRN-3)
    "training.training_record_export": _READ,
    "training.training_certificate_export": _READ,
    "training.compliance_report_export": _READ,
    "training.mandatory_course_create": _COMPANY + " (a course mandatory for an audience)",
    "training.mandatory_course_update": _COMPANY + " (a course mandatory for an audience)",
    "training.training_reminders_send": _SYSTEM + " (the daily reminder job)",
    # training: self-study (TRN-2, SEC-3)
    "training.course_material_add": _COMPANY + " (a course's material)",
    "training.course_material_move": _COMPANY + " (a course's material)",
    "training.course_material_remove": _COMPANY + " (a course's material)",
    "training.course_material_open": _READ + " (and the reader's own progress)",
    "training.material_progress_complete": _SELF_SERVICE,
    "training.question_create": _COMPANY + " (a course's question bank)",
    "training.question_update": _COMPANY + " (a course's question bank)",
    "training.question_set_active": _COMPANY + " (a course's question bank)",
    "training.study_attempt_start": _SELF_SERVICE + " (one's own assessment attempt)",
    "training.study_attempt_answer": _SELF_SERVICE + " (one's own assessment attempt)",
    "training.study_attempt_submit": _SELF_SERVICE + " (scored by rule; writes one's own record)",
    "datasecurity.twofa_verify": _SELF_SERVICE + " (the login's second step, SEC-2)",
    "datasecurity.twofa_enrol": _SELF_SERVICE + " (sets up one's own two-factor login)",
    "datasecurity.twofa_recovery_codes_regenerate": _SELF_SERVICE,
    "datasecurity.twofa_remove": _SELF_SERVICE + " (refused when one's roles require 2FA)",
    "datasecurity.twofa_reset": (
        "an administrator ends a lost second factor (never their own); the user sets it up again"
    ),
    "datasecurity.twofa_trusted_device_record": _SYSTEM + " (records a sign-in a trusted device let through)",
    "datasecurity.twofa_api_token_revoke": (
        "ends a token (one's own, or as administrator or auditor a 2FA role's); it never widens access"
    ),
    # attendance
    "attendance.leave_requests_reroute": _SYSTEM + " (the core's reporting-line hook, inside a transfer HR decided)",
    "attendance.punch_correction_submit": _SELF_SERVICE,
    "attendance.punch_correction_withdraw": _SELF_SERVICE,
    "attendance.daily_attendance_compute": _SYSTEM + " (computed by rule from punches and the roster)",
    "attendance.daily_attendance_compute_all": _SYSTEM,
    "attendance.daily_attendance_recompute": _SYSTEM + " (called by decisions that are themselves checked)",
    "attendance.month_is_locked": _SYSTEM,
    "attendance.month_verify": "a team's sign-off that freezes its month; own days change after it only "
    "through corrections decided by others",
    "attendance.monthly_summary_export": _READ,
    "attendance.approval_delegation_cancel": _SELF_SERVICE + " (one's own delegation) or HR's",
    "attendance.approval_delegation_create": "hands one's own approvals to a colleague; the delegate "
    "still cannot decide their own requests",
    "attendance.certificate_check": _SYSTEM,
    "attendance.certificate_store": _SYSTEM,
    "attendance.leave_balance_grant_annual": _SYSTEM + " (LV-3 by rule, for everyone)",
    "attendance.leave_certificate_add": _SELF_SERVICE,
    "attendance.leave_certificate_open": _READ,
    "attendance.leave_request_submit": _SELF_SERVICE,
    "attendance.leave_request_withdraw": _SELF_SERVICE,
    "attendance.leave_requests_decide": "calls leave_request_approve / _reject for each request",
    "attendance.leave_type_save": _COMPANY,
    "attendance.leave_types_defaults_install": _COMPANY,
    "attendance.device_authenticate": _SYSTEM,
    "attendance.device_create": _COMPANY,
    "attendance.device_punches_push": _SYSTEM,
    "attendance.device_token_hash": _SYSTEM,
    "attendance.punch_record": _SELF_SERVICE,
    "attendance.roster_remit_q": _SYSTEM,
    "attendance.roster_default_apply": _SYSTEM + " (the default roster of a new employee, called by the hiring "
    "services, which are checked)",
    "attendance.shift_type_create": _COMPANY,
    "attendance.shift_type_update": _COMPANY,
    "attendance.shift_types_defaults_install": _COMPANY,
    # complaints
    "complaints.complaint_attach": "adds evidence, attributed and audited; the course of the complaint "
    "is decided by colleagues",
    "complaints.complaint_attachment_open": _READ,
    "complaints.complaint_categories_install": _COMPANY,
    "complaints.complaint_contact_reveal": _READ,
    "complaints.complaint_escalate_overdue": _SYSTEM,
    "complaints.complaint_log": "logs a contact, attributed and audited; the course of the complaint "
    "is decided by colleagues",
    "complaints.complaint_record": _CREATE,
    "complaints.complaint_resume": "restarts the clock, which runs against the agents concerned",
    "complaints.integration_token_create": _COMPANY,
    "complaints.integration_token_deactivate": _COMPANY,
    "complaints.complaint_statistics_export": _READ,
    # performance
    "performance.appraisal_scores_apply": _SYSTEM + " (the scores' arithmetic, for the checked services)",
    "performance.appraisal_self_save": _SELF_SERVICE + " (the self-evaluation, weighed with the superior's)",
    "performance.bonus_sheet_correct": _SHEET + " (the corrector prepares the new version)",
    "performance.bonus_sheet_file_open": _READ,
    "performance.bonus_sheet_file_render": _SYSTEM,
    "performance.bonus_sheet_file_request": _READ,
    "performance.bonus_sheet_prepare": _SHEET,
    "performance.bonus_sheet_read": _READ,
    "performance.bonus_sheet_recompute": _SHEET,
    "performance.appraisal_cycle_lock": _COMPANY,
    "performance.appraisal_cycle_open": _COMPANY,
    "performance.appraisal_cycle_open_queued": _COMPANY,
    "performance.appraisal_cycle_refresh_auto": _COMPANY + " (automatic scores by rule from imported data)",
    "performance.appraisal_cycle_refresh_queued": _COMPANY,
    "performance.appraisal_cycle_refresh_start": _COMPANY,
    "performance.appraisal_cycle_remind": _COMPANY,
    "performance.appraisal_cycle_start": _COMPANY,
    "performance.appraisal_reminders_send": _SYSTEM,
    "performance.metric_call_volumes_rebuild": _SYSTEM,
    "performance.metric_import_template": _SYSTEM,
    "performance.appraisal_template_create": _COMPANY,
    "performance.appraisal_template_update": _COMPANY,
    "performance.indicator_create": _COMPANY,
    "performance.indicator_deactivate": _COMPANY,
    "performance.indicator_defaults_install": _COMPANY,
    "performance.indicator_update": _COMPANY,
}


def _public_services() -> dict[str, Callable]:
    """Every public function of every app's services (importing them registers the privileged ones)."""
    found = {}
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError:
            continue  # an app without services yet (training, discipline)
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if inspect.isfunction(value):
                found[f"{app}.{name}"] = value
    return found


def test_every_public_service_is_registered_privileged_or_declared_not_privileged():
    services = _public_services()
    undecided = sorted(set(services) - set(PRIVILEGED_SERVICES) - set(NOT_PRIVILEGED))
    assert not undecided, (
        f"Decide for {undecided}: @privileged_service (and a scenario below) or NOT_PRIVILEGED with its reason"
    )
    assert not set(NOT_PRIVILEGED) & set(PRIVILEGED_SERVICES)
    assert not set(NOT_PRIVILEGED) - set(services), "NOT_PRIVILEGED names a service that is gone"


def test_every_privileged_service_has_a_scenario():
    _public_services()
    assert set(PRIVILEGED_SERVICES) == set(SCENARIOS), (
        f"without a scenario: {sorted(set(PRIVILEGED_SERVICES) - set(SCENARIOS))}; "
        f"scenario without a service: {sorted(set(SCENARIOS) - set(PRIVILEGED_SERVICES))}"
    )
    for action, service in PRIVILEGED_SERVICES.items():
        app, name = action.split(".")
        assert getattr(importlib.import_module(f"{app}.services"), name) is service.function, action


def test_a_privileged_service_that_forgets_the_rule_writes_nothing(org):
    """A registered service returning without consulting refuse_own_record is a programming error:
    ImproperlyConfigured, and its writes are rolled back."""

    @privileged_service("tests.forgetful", label="forget")
    def forgetful(*, actor, employee_id):
        Employee.objects.filter(pk=employee_id).update(monthly_base_pay=Decimal("1.00"))

    try:
        with pytest.raises(ImproperlyConfigured):
            forgetful(actor=org.hr.user, employee_id=org.agent.pk)
        assert Employee.objects.get(pk=org.agent.pk).monthly_base_pay == Decimal("5000.00")
        with pytest.raises(ImproperlyConfigured):
            refuse_own_record(actor=org.hr.user, employee_id=org.hr.pk, action="tests.not_registered")
    finally:
        PRIVILEGED_SERVICES.pop("tests.forgetful", None)


# --- The matrix: role × action × own / other ----------------------------------------------------------


@dataclass
class Case:
    role: str  # who holds the power
    own: Callable[[], object]  # the power used on their own record: refused
    other: Callable[[], object]  # the same power on a colleague's record: done
    state: Callable[[], object]  # what a refusal must leave as it was


def _hr2(org):
    return approver_hr(org)


def _handler2(org):
    return f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=[Role.COMPLAINT_HANDLER]),
        team=org.b1,
        department=org.dept_b,
        name="郑华",
    )


# attendance ---------------------------------------------------------------------------------------


def _balance_set(org) -> Case:
    annual = leave_type("annual")
    year = timezone.localdate().year

    def set_for(employee):
        return attendance_services.leave_balance_set(
            actor=org.hr.user, employee_id=employee.pk, leave_type_id=annual.pk, year=year,
            entitled_days=Decimal("366"), reason="entitlement correction",
        )  # fmt: skip

    return Case(
        "hr",
        lambda: set_for(org.hr),
        lambda: set_for(org.agent),
        lambda: sorted(LeaveBalance.objects.values_list("employee_id", "entitled_days")),
    )


def _personal_leave(employee, start):
    return attendance_services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type("personal").pk, start_date=start, end_date=start,
        reason="家里有事需要处理", expected_days=Decimal("1"),
    )  # fmt: skip


def _leave_requests(org):
    day = next_monday(2)
    roster_weeks([org.agent, org.supervisor], day - datetime.timedelta(days=14), 35)
    return _personal_leave(org.supervisor, day), _personal_leave(org.agent, day)


def _leave_state():
    return sorted(LeaveRequest.objects.values_list("pk", "status", "current_step"))


def _leave_approve(org) -> Case:
    own, other = _leave_requests(org)
    decide = attendance_services.leave_request_approve
    return Case(
        "supervisor",
        lambda: decide(actor=org.supervisor.user, leave_request_id=own.pk),
        lambda: decide(actor=org.supervisor.user, leave_request_id=other.pk),
        _leave_state,
    )


def _leave_reject(org) -> Case:
    own, other = _leave_requests(org)
    decide = attendance_services.leave_request_reject
    return Case(
        "supervisor",
        lambda: decide(actor=org.supervisor.user, leave_request_id=own.pk, comment="人手不足"),
        lambda: decide(actor=org.supervisor.user, leave_request_id=other.pk, comment="人手不足"),
        _leave_state,
    )


def _leave_revoke(org) -> Case:
    # HR's own leave goes to a supervisor of team B1 (there is none in the org fixture).
    org.b1.supervisor = org.handler
    org.b1.save(update_fields=["supervisor"])
    day = next_monday(2)
    roster_weeks([org.agent, org.hr], day - datetime.timedelta(days=14), 35)
    own, other = _personal_leave(org.hr, day), _personal_leave(org.agent, day)
    attendance_services.leave_request_approve(actor=org.handler.user, leave_request_id=own.pk)
    attendance_services.leave_request_approve(actor=org.supervisor.user, leave_request_id=other.pk)
    revoke = attendance_services.leave_request_revoke
    return Case(
        "hr",
        lambda: revoke(actor=org.hr.user, leave_request_id=own.pk, reason="不再需要了"),
        lambda: revoke(actor=org.hr.user, leave_request_id=other.pk, reason="员工提前返岗"),
        _leave_state,
    )


def _corrections(org):
    day = timezone.localdate() - datetime.timedelta(days=2)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))

    def submit(employee):
        return attendance_services.punch_correction_submit(
            actor=employee.user, work_date=day, requested_time=at, reason="忘记打卡，有同事作证"
        )

    return submit(org.supervisor), submit(org.agent)


def _correction_state():
    return sorted(PunchCorrection.objects.values_list("pk", "status"))


def _correction_approve(org) -> Case:
    own, other = _corrections(org)
    decide = attendance_services.punch_correction_approve
    return Case(
        "supervisor",
        lambda: decide(actor=org.supervisor.user, correction_id=own.pk),
        lambda: decide(actor=org.supervisor.user, correction_id=other.pk),
        _correction_state,
    )


def _correction_reject(org) -> Case:
    own, other = _corrections(org)
    decide = attendance_services.punch_correction_reject
    return Case(
        "supervisor",
        lambda: decide(actor=org.supervisor.user, correction_id=own.pk, note="没有记录"),
        lambda: decide(actor=org.supervisor.user, correction_id=other.pk, note="没有记录"),
        _correction_state,
    )


def _roster_state():
    return sorted(RosterEntry.objects.values_list("employee_id", "work_date", "kind"))


def _roster_assign(org) -> Case:
    attendance_services.shift_types_defaults_install()
    today = timezone.localdate()

    def assign(employee):
        return attendance_services.roster_assign(
            actor=org.supervisor.user, employee_ids=[employee.pk], date_from=today, date_to=today, pattern={}
        )

    return Case("supervisor", lambda: assign(org.supervisor), lambda: assign(org.agent), _roster_state)


def _roster_entry_set(org) -> Case:
    today = timezone.localdate()

    def set_rest(employee):
        return attendance_services.roster_entry_set(
            actor=org.supervisor.user, employee_id=employee.pk, work_date=today, kind="rest"
        )

    return Case("supervisor", lambda: set_rest(org.supervisor), lambda: set_rest(org.agent), _roster_state)


# the core -------------------------------------------------------------------------------------------


def _employee_state():
    return sorted(Employee.objects.values_list("pk", "monthly_base_pay", "bonus_base", "status"))


def _employee_update(org) -> Case:
    def raise_pay(employee):
        return core_services.employee_update(
            actor=org.hr.user, employee_id=employee.pk, monthly_base_pay=Decimal("99999.00")
        )

    return Case("hr", lambda: raise_pay(org.hr), lambda: raise_pay(org.agent), _employee_state)


def _user_roles(org, assign: bool) -> Case:
    """HR gives (or takes) a role: on their own account refused, on a colleague's done."""
    service = core_services.user_role_assign if assign else core_services.user_role_remove
    role = Role.SUPERVISOR if assign else Role.AGENT

    def change(employee):
        return service(actor=org.hr.user, user_id=employee.user_id, role=role)

    def roles():
        return sorted(Employee.objects.values_list("pk", "user__groups__name"), key=str)

    if not assign:
        org.hr.user.groups.add(*org.agent.user.groups.filter(name=Role.AGENT))
    return Case("hr", lambda: change(org.hr), lambda: change(org.agent), roles)


def _access_grant_create(org) -> Case:
    """HR gives HR for a department: to themselves refused, to an HR colleague done."""
    colleague = _hr2(org)

    def grant(employee):
        return core_services.access_grant_create(
            actor=org.hr.user,
            kind=GrantKind.DEPARTMENT,
            grantee_id=employee.user_id,
            target=org.dept_a.pk,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
            reason="Covering the department's HR during the audit",
        )

    return Case(
        "hr", lambda: grant(org.hr), lambda: grant(colleague), lambda: list(AccessGrant.objects.values_list("pk"))
    )


def _employee_transfer(org) -> Case:
    """HR moves someone to team A2 today (issue 13): themselves refused, the agent done."""

    def transfer(employee):
        return core_services.employee_transfer(
            actor=org.hr.user, employee_id=employee.pk, department_id=org.dept_a.pk, team_id=org.a2.pk,
            position_id=employee.position_id, effective_on=timezone.localdate(),
        )  # fmt: skip

    def teams():
        return sorted(Employee.objects.values_list("pk", "team_id", "department_id"))

    return Case("hr", lambda: transfer(org.hr), lambda: transfer(org.agent), teams)


def _employee_pay_change(org) -> Case:
    def raise_pay(employee):
        return core_services.employee_pay_change(
            actor=org.hr.user, employee_id=employee.pk, monthly_base_pay=Decimal("99999.00"),
            bonus_base=employee.bonus_base, effective_on=timezone.localdate(),
        )  # fmt: skip

    return Case("hr", lambda: raise_pay(org.hr), lambda: raise_pay(org.agent), _employee_state)


def _employment_event_cancel(org) -> Case:
    """A colleague scheduled a pay cut for HR and one for the agent: HR cancels only the agent's."""
    colleague = _hr2(org)
    later = timezone.localdate() + datetime.timedelta(days=30)

    def schedule(employee):
        return core_services.employee_pay_change(
            actor=colleague.user, employee_id=employee.pk, monthly_base_pay=Decimal("1.00"),
            bonus_base=employee.bonus_base, effective_on=later,
        )  # fmt: skip

    own, other = schedule(org.hr), schedule(org.agent)
    cancel = core_services.employment_event_cancel
    return Case(
        "hr",
        lambda: cancel(actor=org.hr.user, event_id=own.pk),
        lambda: cancel(actor=org.hr.user, event_id=other.pk),
        lambda: sorted(EmploymentEvent.objects.values_list("pk", "status")),
    )


def _org_state():
    return (
        sorted(Department.objects.values_list("pk", "manager_id", "leader_in_charge_id")),
        sorted(Team.objects.values_list("pk", "supervisor_id")),
    )


def _department_save(org) -> Case:
    """HR appoints a department manager (issue 13): themselves refused, a colleague done."""

    def appoint(employee):
        return core_services.department_save(
            actor=org.hr.user, department_id=org.dept_b.pk, code="B", name=org.dept_b.name, manager_id=employee.pk
        )

    return Case("hr", lambda: appoint(org.hr), lambda: appoint(org.other_dept), _org_state)


def _team_save(org) -> Case:
    """HR appoints a team supervisor (issue 13): themselves refused, a colleague done."""

    def appoint(employee):
        return core_services.team_save(
            actor=org.hr.user, team_id=org.b1.pk, code="B1", name=org.b1.name, department_id=org.dept_b.pk,
            supervisor_id=employee.pk,
        )  # fmt: skip

    return Case("hr", lambda: appoint(org.hr), lambda: appoint(org.other_dept), _org_state)


def _employee_deactivate(org) -> Case:
    def deactivate(employee):
        return core_services.employee_deactivate(
            actor=org.hr.user, employee_id=employee.pk, left_on=timezone.localdate()
        )

    return Case("hr", lambda: deactivate(org.hr), lambda: deactivate(org.agent), _employee_state)


def _employee_hire(org) -> Case:
    """HR hires: over their own employee number refused (own_record, before "already employed"),
    a new colleague done (GEN-1)."""
    position = Employee.objects.get(pk=org.agent.pk).position_id

    def hire(number):
        return core_services.employee_hire(
            actor=org.hr.user, employee_no=number, name="孙悦", department_id=org.dept_a.pk, team_id=org.a1.pk,
            position_id=position, hire_date=timezone.localdate(), monthly_base_pay=Decimal("5000.00"),
            bonus_base=Decimal("1000.00"),
        )  # fmt: skip

    return Case("hr", lambda: hire(org.hr.employee_no), lambda: hire("E90001"), _employee_state)


def _staff_row(employee, name):
    return [
        employee.employee_no, name, employee.department.code, employee.team.code, employee.position.code,
        employee.hire_date.isoformat(), employee.first_employed_on.isoformat(), str(employee.monthly_base_pay),
        str(employee.bonus_base),
    ]  # fmt: skip


def _staff_import_commit(org) -> Case:
    """HR imports the staff list: a file renaming HR themselves refused, one renaming a colleague done."""
    header = ["工号", "姓名", "部门", "班组", "岗位", "入职日期", "参加工作日期", "月基本工资", "绩效奖金基数"]

    def commit(employee):
        data = "\n".join(",".join(row) for row in (header, _staff_row(employee, "新名字"))).encode()
        return core_services.staff_import_commit(actor=org.hr.user, data=data, filename="staff.csv")

    return Case(
        "hr",
        lambda: commit(org.hr),
        lambda: commit(org.agent),
        lambda: sorted(Employee.objects.values_list("pk", "name")),
    )


# leavers (GEN-2, COC-8) -------------------------------------------------------------------------------


def _leaving(org, employee, *, by=None):
    """``employee``'s leaving set by HR (a second HR user when it is HR's own) for next week."""
    actor = by or (_hr2(org) if employee == org.hr else org.hr)
    return core_services.employee_leave_schedule(
        actor=actor.user,
        employee_id=employee.pk,
        last_working_day=timezone.localdate() + datetime.timedelta(days=7),
        reason="resignation",
    )


def _exit_state():
    return (
        sorted(ExitChecklist.objects.values_list("pk", "employee_id", "status")),
        sorted(ExitChecklistItem.objects.values_list("pk", "done_by_id", "done_at")),
        sorted(Complaint.objects.values_list("pk", "owner_id")),
        sorted(Complaint.objects.values_list("pk", "plans__version", "plans__responsible_id"), key=str),
    )


def _leave_schedule(org) -> Case:
    def schedule(employee):
        return core_services.employee_leave_schedule(
            actor=org.hr.user,
            employee_id=employee.pk,
            last_working_day=timezone.localdate() + datetime.timedelta(days=7),
            reason="resignation",
        )

    return Case("hr", lambda: schedule(org.hr), lambda: schedule(org.agent), _exit_state)


def _leave_cancel(org) -> Case:
    own, other = _leaving(org, org.hr), _leaving(org, org.agent)
    cancel = core_services.employee_leave_cancel
    return Case(
        "hr",
        lambda: cancel(actor=org.hr.user, checklist_id=own.pk),
        lambda: cancel(actor=org.hr.user, checklist_id=other.pk),
        _exit_state,
    )


def _exit_item(checklist, kind):
    return checklist.items.get(kind=kind)


def _exit_item_tick(org) -> Case:
    own, other = _leaving(org, org.supervisor), _leaving(org, org.agent)
    tick = core_services.exit_item_tick
    return Case(
        "supervisor",
        lambda: tick(actor=org.supervisor.user, item_id=_exit_item(own, "equipment").pk),
        lambda: tick(actor=org.supervisor.user, item_id=_exit_item(other, "equipment").pk),
        _exit_state,
    )


def _exit_item_untick(org) -> Case:
    own, other = _leaving(org, org.hr), _leaving(org, org.agent)
    core_services.exit_item_tick(actor=_hr2(org).user, item_id=_exit_item(own, "bonus").pk)
    core_services.exit_item_tick(actor=org.hr.user, item_id=_exit_item(other, "bonus").pk)
    untick = core_services.exit_item_untick
    return Case(
        "hr",
        lambda: untick(actor=org.hr.user, item_id=_exit_item(own, "bonus").pk),
        lambda: untick(actor=org.hr.user, item_id=_exit_item(other, "bonus").pk),
        _exit_state,
    )


def _call_back_for(org, employee):
    """An open complaint whose resolution plan makes ``employee`` responsible for the call-back."""
    complaint = complaint_recorded(org)
    complaint_services.complaint_plan(
        actor=org.handler.user, complaint_id=complaint.pk, description="回访客户", responsible_id=employee.pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip
    return complaint


def _exit_hand_over(org) -> Case:
    own, other = _leaving(org, org.supervisor), _leaving(org, org.agent)
    _call_back_for(org, org.supervisor)
    _call_back_for(org, org.agent)

    def hand_over(checklist):
        return core_services.exit_hand_over(
            actor=org.supervisor.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=org.peer.pk
        )

    return Case("supervisor", lambda: hand_over(own), lambda: hand_over(other), _exit_state)


def _complaint_hand_over(org) -> Case:
    _leaving(org, org.supervisor), _leaving(org, org.agent)
    _call_back_for(org, org.supervisor)
    _call_back_for(org, org.agent)
    hand_over = complaint_services.complaint_hand_over
    return Case(
        "supervisor",
        lambda: hand_over(actor=org.supervisor.user, employee_id=org.supervisor.pk, to_employee_id=org.peer.pk),
        lambda: hand_over(actor=org.supervisor.user, employee_id=org.agent.pk, to_employee_id=org.peer.pk),
        _exit_state,
    )


# complaints -----------------------------------------------------------------------------------------


def _complaints(org, about):
    """A complaint naming ``about`` as an agent concerned, and one naming an agent."""
    own = complaint_recorded(org)
    own.concerned_employees.add(about)
    other = complaint_recorded(org)
    other.concerned_employees.add(org.agent)
    return own, other


def _complaint_state():
    return (
        sorted(Complaint.objects.values_list("pk", "status", "owner_id", "paused_since", "satisfaction", "cause")),
        sorted(Complaint.objects.values_list("pk", "plans__version")),
    )


def _plan(org, complaint, by):
    return complaint_services.complaint_plan(
        actor=by.user, complaint_id=complaint.pk, description="回访客户并重新办理业务", responsible_id=by.pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )  # fmt: skip


def _complaint_assign(org) -> Case:
    own, other = _complaints(org, org.handler)
    assign = complaint_services.complaint_assign
    return Case(
        "handler",
        lambda: assign(actor=org.handler.user, complaint_id=own.pk, owner_id=_handler2(org).pk),
        lambda: assign(actor=org.handler.user, complaint_id=other.pk, owner_id=org.handler.pk),
        _complaint_state,
    )


def _complaint_plan(org) -> Case:
    own, other = _complaints(org, org.handler)
    return Case(
        "handler",
        lambda: _plan(org, own, org.handler),
        lambda: _plan(org, other, org.handler),
        _complaint_state,
    )


def _complaint_pause(org) -> Case:
    own, other = _complaints(org, org.handler)
    pause = complaint_services.complaint_pause
    return Case(
        "handler",
        lambda: pause(actor=org.handler.user, complaint_id=own.pk, reason="等待客户回电"),
        lambda: pause(actor=org.handler.user, complaint_id=other.pk, reason="等待客户回电"),
        _complaint_state,
    )


def _complaint_resolve(org) -> Case:
    own, other = _complaints(org, org.handler)
    _plan(org, own, _handler2(org))
    _plan(org, other, org.handler)
    resolve = complaint_services.complaint_resolve
    return Case(
        "handler",
        lambda: resolve(actor=org.handler.user, complaint_id=own.pk, text="已重新办理", cause="态度"),
        lambda: resolve(actor=org.handler.user, complaint_id=other.pk, text="已重新办理", cause="态度"),
        _complaint_state,
    )


def _complaint_follow_up(org) -> Case:
    own, other = _complaints(org, org.handler)
    colleague = _handler2(org)
    for complaint, by in ((own, colleague), (other, org.handler)):
        _plan(org, complaint, by)
        complaint_services.complaint_resolve(actor=by.user, complaint_id=complaint.pk, text="已重新办理")
    follow_up = complaint_services.complaint_follow_up
    return Case(
        "handler",
        lambda: follow_up(actor=org.handler.user, complaint_id=own.pk, satisfaction=5, comment="非常满意"),
        lambda: follow_up(actor=org.handler.user, complaint_id=other.pk, satisfaction=5, comment="非常满意"),
        _complaint_state,
    )


def _concerned_state():
    return sorted(Complaint.concerned_employees.through.objects.values_list("complaint_id", "employee_id")), sorted(
        Complaint.objects.values_list("pk", "concerned_team_id")
    )


def _complaint_concerned_set(org) -> Case:
    """CMP-2: a handler named on a complaint does not take themselves off it (nor, see
    complaints/tests/test_complaints_concerned.py, put themselves on one)."""
    own, other = _complaints(org, org.handler)
    concerned_set = complaint_services.complaint_concerned_set
    return Case(
        "handler",
        lambda: concerned_set(actor=org.handler.user, complaint_id=own.pk, team_id=None, employee_ids=[org.agent.pk]),
        lambda: concerned_set(actor=org.handler.user, complaint_id=other.pk, team_id=None, employee_ids=[org.peer.pk]),
        _concerned_state,
    )


def _complaint_close(org) -> Case:
    own, other = _complaints(org, org.leader)
    close = complaint_services.complaint_close
    return Case(
        "leader",
        lambda: close(actor=org.leader.user, complaint_id=own.pk, reason="客户无法联系"),
        lambda: close(actor=org.leader.user, complaint_id=other.pk, reason="客户无法联系"),
        _complaint_state,
    )


# performance: appraisals, metrics ---------------------------------------------------------------------


def _appraisal_state():
    return sorted(Appraisal.objects.values_list("pk", "status", "superior_summary", "returned_reason"))


def _superior_save(org) -> Case:
    own = appraisal_for(org.supervisor, status="superior")  # evaluated by the department manager
    other = appraisal_for(org.agent, status="superior")

    def save(appraisal):
        return performance_services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "100"), summary="优秀"
        )

    return Case("supervisor", lambda: save(own), lambda: save(other), _appraisal_state)


def _interview(org) -> Case:
    own = appraisal_for(org.supervisor, status="interview")
    other = appraisal_for(org.agent, status="interview")

    def record(appraisal):
        return performance_services.appraisal_interview_record(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, held_on=timezone.localdate(),
            strengths="业务熟练", problems="没有问题",
        )  # fmt: skip

    return Case("supervisor", lambda: record(own), lambda: record(other), _appraisal_state)


def _send_back(org) -> Case:
    own = appraisal_for(org.hr, status="superior")
    other = appraisal_for(org.agent, status="superior")

    def send_back(appraisal):
        return performance_services.appraisal_send_back(
            actor=org.hr.user, appraisal_id=appraisal.pk, reason="请重新自评", stage="self"
        )

    return Case("hr", lambda: send_back(own), lambda: send_back(other), _appraisal_state)


def _metrics_state():
    return sorted(AgentDailyMetric.objects.values_list("employee_id", "day", "calls_answered"))


def _metric_import_file(org) -> Case:
    day = last_month_day(3)

    def import_row(employee):
        data = csv_bytes([metric_row(employee, day, answered=999, resolved=999)])
        return performance_services.metric_import_file(actor=org.hr.user, data=data, filename="m.csv")

    return Case("hr", lambda: import_row(org.hr), lambda: import_row(org.agent), _metrics_state)


def _metric_import_push(org) -> Case:
    day = last_month_day(3)

    def push(employee):
        rows = [push_row(org.peer, day), push_row(employee, day, answered=999, resolved=999)]
        return performance_services.metric_import_push(actor=org.hr.user, rows=rows)

    return Case("hr", lambda: push(org.hr), lambda: push(org.agent), _metrics_state)


# performance: the bonus sheet ---------------------------------------------------------------------------


def _bonus_sheet(org):
    """The March sheet prepared by HR's colleague, with lines for HR and the agent."""
    cycle = bonus_cycle_for()
    for employee in (org.hr, org.agent):
        bonus_appraisal_for(employee, cycle, 90)
    return performance_services.bonus_sheet_prepare(actor=_hr2(org).user, month=BONUS_MONTH)


def _bonus_state():
    return sorted(BonusLine.objects.values_list("employee_id", "rewards", "penalties", "total")) + sorted(
        BonusSheet.objects.values_list("pk", "status", "approved_by", "total_amount")
    )


def _adjust(actor, sheet, employee, amount="5000.00"):
    return performance_services.bonus_line_adjust(
        actor=actor.user, sheet_id=sheet.pk, employee_no=employee.employee_no, kind="reward", title="特别奖",
        amount=amount,
    )  # fmt: skip


def _bonus_adjust(org) -> Case:
    sheet = _bonus_sheet(org)
    return Case("hr", lambda: _adjust(org.hr, sheet, org.hr), lambda: _adjust(org.hr, sheet, org.agent), _bonus_state)


def _bonus_adjustment_remove(org) -> Case:
    sheet = _bonus_sheet(org)
    own, other = _adjust(_hr2(org), sheet, org.hr, "100"), _adjust(_hr2(org), sheet, org.agent, "100")

    def remove(line):
        return performance_services.bonus_line_adjustment_remove(actor=org.hr.user, line_id=line.pk, position=0)

    return Case("hr", lambda: remove(own), lambda: remove(other), _bonus_state)


def _training_external_record(org) -> Case:
    """HR enters an external course (TRN-3): not into their own record; into the agent's, done."""
    course = Course.objects.create(
        code="ext-duty", title="外部课程", topic_area="service", delivery_mode="external", hours=Decimal("2")
    )
    day = timezone.localdate() - datetime.timedelta(days=1)

    def enter(employee):
        return training_services.training_record_external_create(
            actor=org.hr.user,
            employee_id=employee.pk,
            course_id=course.pk,
            completed_on=day,
            hours=Decimal("2"),
            result="passed",
            score=Decimal("90"),
        )

    return Case(
        "hr",
        lambda: enter(org.hr),
        lambda: enter(org.agent),
        lambda: list(TrainingRecord.objects.values_list("employee_id", "result")),
    )


def _bonus_approve(org) -> Case:
    """HR's colleague prepared the sheet and gave HR a reward: HR does not approve it. Once the
    reward is the agent's instead, HR (who changed nothing) approves."""
    sheet = _bonus_sheet(org)
    own = _adjust(_hr2(org), sheet, org.hr, "100")

    def other():
        performance_services.bonus_line_adjustment_remove(actor=_hr2(org).user, line_id=own.pk, position=0)
        _adjust(_hr2(org), sheet, org.agent, "100")
        return performance_services.bonus_sheet_approve(actor=org.hr.user, sheet_id=sheet.pk)

    return Case(
        "hr",
        lambda: performance_services.bonus_sheet_approve(actor=org.hr.user, sheet_id=sheet.pk),
        other,
        _bonus_state,
    )


def _security_alerts(org):
    """A bulk-read alert about the auditor and one about HR (SEC-3), as the monitoring job raises them."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=2)
    alerts = []
    for subject in (org.auditor.user, org.hr.user):
        alerts.append(
            SecurityAlert.objects.create(
                kind="bulk_read", subject=subject, window_start=hour, window_end=hour + datetime.timedelta(hours=1),
                count=300, events=1, threshold=200, first_event_id=1, last_event_id=1, first_at=hour, last_at=hour,
            )
        )  # fmt: skip
    return alerts


def _security_alert_acknowledge(org) -> Case:
    own, other = _security_alerts(org)
    acknowledge = datasecurity_services.security_alert_acknowledge
    return Case(
        "auditor",
        lambda: acknowledge(actor=org.auditor.user, alert_id=own.pk, note="looked at it"),
        lambda: acknowledge(actor=org.auditor.user, alert_id=other.pk, note="payroll export, expected"),
        lambda: sorted(SecurityAlert.objects.values_list("pk", "state", "acknowledged_by_id")),
    )


# datasecurity ------------------------------------------------------------------------------------


def _destruction_requests(org):
    """Two pending destruction requests (SEC-4): one by the company leader (who also holds HR's
    role here), one by HR; something is due (a complaint closed four years ago)."""
    closed_complaint(org, 1, closed_days_ago=4 * 365)
    org.leader.user.groups.add(Group.objects.get(name=Role.HR))
    own = datasecurity_services.destruction_request_create(actor=org.leader.user, reason="保留期已满")
    other = datasecurity_services.destruction_request_create(actor=org.hr.user, reason="保留期已满")
    return own, other


def _destruction_state():
    return sorted(DestructionRequest.objects.values_list("pk", "status", "decided_by_id"))


def _destruction_approve(org) -> Case:
    own, other = _destruction_requests(org)
    decide = datasecurity_services.destruction_request_approve
    return Case(
        "leader",
        lambda: decide(actor=org.leader.user, request_id=own.pk),
        lambda: decide(actor=org.leader.user, request_id=other.pk),
        _destruction_state,
    )


def _destruction_reject(org) -> Case:
    own, other = _destruction_requests(org)
    decide = datasecurity_services.destruction_request_reject
    return Case(
        "leader",
        lambda: decide(actor=org.leader.user, request_id=own.pk, reason="仍在诉讼中"),
        lambda: decide(actor=org.leader.user, request_id=other.pk, reason="仍在诉讼中"),
        _destruction_state,
    )


# training: a session's attendance and scores (TRN-2) --------------------------------------------------


def _training_mark(org, *, score: bool) -> Case:
    """HR takes the attendance (and enters the scores) of a session they are enrolled in."""
    the_course = training_factories.course("duties-course")
    session = training_factories.session_for(
        the_course,
        trainer=org.hr.user,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        enrol=[org.hr, org.agent],
    )
    enrolments = {e.employee_id: e for e in TrainingEnrolment.objects.filter(session=session)}
    if score:
        TrainingEnrolment.objects.filter(session=session).update(attendance="present")

    def act(employee):
        enrolment_id = enrolments[employee.pk].pk
        if score:
            return training_services.session_score_set(
                actor=org.hr.user, enrolment_id=enrolment_id, score=Decimal("80")
            )
        return training_services.session_attendance_mark(actor=org.hr.user, enrolment_id=enrolment_id, mark="present")

    def state():
        return sorted(TrainingEnrolment.objects.values_list("employee_id", "attendance", "score"))

    return Case("hr", lambda: act(org.hr), lambda: act(org.agent), state)


SCENARIOS: dict[str, Callable[[object], Case]] = {
    "attendance.leave_balance_set": _balance_set,
    "datasecurity.security_alert_acknowledge": _security_alert_acknowledge,
    "attendance.leave_request_approve": _leave_approve,
    "attendance.leave_request_reject": _leave_reject,
    "attendance.leave_request_revoke": _leave_revoke,
    "attendance.punch_correction_approve": _correction_approve,
    "attendance.punch_correction_reject": _correction_reject,
    "attendance.roster_assign": _roster_assign,
    "attendance.roster_entry_set": _roster_entry_set,
    "callcenter.employee_update": _employee_update,
    "callcenter.employee_deactivate": _employee_deactivate,
    "callcenter.employee_transfer": _employee_transfer,
    "callcenter.employee_pay_change": _employee_pay_change,
    "callcenter.employment_event_cancel": _employment_event_cancel,
    "callcenter.department_save": _department_save,
    "callcenter.team_save": _team_save,
    "callcenter.employee_hire": _employee_hire,
    "callcenter.staff_import_commit": _staff_import_commit,
    "callcenter.employee_leave_schedule": _leave_schedule,
    "callcenter.employee_leave_cancel": _leave_cancel,
    "callcenter.exit_item_tick": _exit_item_tick,
    "callcenter.exit_item_untick": _exit_item_untick,
    "callcenter.exit_hand_over": _exit_hand_over,
    "callcenter.user_role_assign": lambda org: _user_roles(org, assign=True),
    "callcenter.access_grant_create": _access_grant_create,
    "callcenter.user_role_remove": lambda org: _user_roles(org, assign=False),
    "complaints.complaint_assign": _complaint_assign,
    "complaints.complaint_hand_over": _complaint_hand_over,
    "complaints.complaint_plan": _complaint_plan,
    "complaints.complaint_pause": _complaint_pause,
    "complaints.complaint_resolve": _complaint_resolve,
    "complaints.complaint_follow_up": _complaint_follow_up,
    "complaints.complaint_close": _complaint_close,
    "complaints.complaint_concerned_set": _complaint_concerned_set,
    "performance.appraisal_superior_save": _superior_save,
    "performance.appraisal_interview_record": _interview,
    "performance.appraisal_send_back": _send_back,
    "performance.metric_import_file": _metric_import_file,
    "performance.metric_import_push": _metric_import_push,
    "performance.bonus_line_adjust": _bonus_adjust,
    "performance.bonus_line_adjustment_remove": _bonus_adjustment_remove,
    "performance.bonus_sheet_approve": _bonus_approve,
    "datasecurity.destruction_request_approve": _destruction_approve,
    "datasecurity.destruction_request_reject": _destruction_reject,
    "training.session_attendance_mark": lambda org: _training_mark(org, score=False),
    "training.session_score_set": lambda org: _training_mark(org, score=True),
    # training records (TRN-3)
    "training.training_record_external_create": _training_external_record,
}


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_nobody_acts_in_a_privileged_capacity_on_their_own_record(org, action):
    """Given the role that holds the power, when they use it on their own record, then it is
    refused with own_record (403) and the record, and the audit trail, are as they were; when they
    use it on a colleague's record, then it is done."""
    case = SCENARIOS[action](org)
    assert case.role in {"hr", "supervisor", "handler", "leader", "auditor"}
    before, events = case.state(), AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError) as exc:
        case.own()
    assert (exc.value.code, exc.value.status) == ("own_record", 403)
    assert "SEC-2" in str(exc.value.message)
    assert case.state() == before and AuditEvent.objects.count() == events
    case.other()
    assert case.state() != before


# --- The attacks reproduced on main, over HTTP ---------------------------------------------------------


def _march_sheet(org):
    cycle = bonus_cycle_for()
    for employee in (org.hr, org.agent):
        bonus_appraisal_for(employee, cycle, 90)
    return performance_services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)


def test_api_hr_cannot_reward_themselves_nor_approve_their_own_sheet(client, org):
    """Given HR's own draft sheet (March, the cycle locked), when HR posts a 5,000.00 reward for
    their own employee number, then 403 own_record and their line is unchanged; when HR approves
    the sheet they prepared, then 403 approver_changed_sheet: prepared_by = approved_by never."""
    sheet = _march_sheet(org)
    client.force_login(org.hr.user)
    body = {"employee_no": org.hr.employee_no, "kind": "reward", "title": "特别奖", "amount": "5000.00"}
    response = client.post(reverse("api:performance:bonus_sheet_adjust", args=[sheet.pk]), body)
    assert response.status_code == 403 and response.json()["code"] == "own_record"
    line = BonusLine.objects.get(sheet=sheet, employee=org.hr)
    assert line.rewards == Decimal("0.00") and line.total == Decimal("1200.00")
    response = client.post(reverse("api:performance:bonus_sheet_approve", args=[sheet.pk]))
    assert response.status_code == 403 and response.json()["code"] == "approver_changed_sheet"
    sheet.refresh_from_db()
    assert sheet.status == "draft" and sheet.approved_by is None
    # a colleague approves it
    client.force_login(_hr2(org).user)
    response = client.post(reverse("api:performance:bonus_sheet_approve", args=[sheet.pk]))
    assert response.status_code == 200 and response.json()["status"] == "approved"
    sheet.refresh_from_db()
    assert sheet.approved_by != sheet.prepared_by


def test_the_pdf_signature_block_names_two_people_the_preparer_and_the_approver(org):
    """Given HR's sheet approved by a colleague, when it is printed, then the signature block
    names HR as the preparer and the colleague as the approver: two people sign (SEC-2)."""
    sheet = _march_sheet(org)
    performance_services.bonus_sheet_approve(actor=_hr2(org).user, sheet_id=sheet.pk)
    sheet = BonusSheet.objects.select_related("prepared_by__employee", "approved_by__employee").get(pk=sheet.pk)
    lines = performance_selectors.bonus_line_list(user=org.hr.user, sheet_id=sheet.pk)
    with translation.override("en"):
        html, _pages = bonus_sheet_html(sheet, lines)
    sign = html[html.rindex("Prepared by:") :]
    prepared = sign[: sign.index("Approved by:")]
    approved = sign[sign.index("Approved by:") :]
    assert org.hr.name in prepared and _hr2(org).name not in prepared
    assert _hr2(org).name in approved and org.hr.name not in approved[:60]
    assert sheet.prepared_by != sheet.approved_by


def test_pages_hr_cannot_reward_themselves_nor_approve_their_own_sheet(client, org):
    sheet = _march_sheet(org)
    client.force_login(org.hr.user)
    body = {"employee_no": org.hr.employee_no, "kind": "reward", "title": "特别奖", "amount": "5000.00"}
    response = client.post(reverse("performance:bonus_sheet_adjust", args=[sheet.pk]), body, follow=True)
    assert "SEC-2" in response.content.decode()
    assert BonusLine.objects.get(sheet=sheet, employee=org.hr).rewards == Decimal("0.00")
    response = client.post(reverse("performance:bonus_sheet_approve", args=[sheet.pk]), follow=True)
    assert "SEC-2" in response.content.decode() and 'id="bonus-approve"' not in response.content.decode()
    assert BonusSheet.objects.get(pk=sheet.pk).status == "draft"


def test_api_and_page_hr_cannot_set_their_own_leave_entitlement(client, org):
    """Given HR, when they set their own annual leave to 366 days over the API or on the balances
    page, then it is refused (403 own_record; the page shows the rule) and no balance exists."""
    annual = leave_type("annual")
    year = timezone.localdate().year
    client.force_login(org.hr.user)
    reason = "年假天数调整更正"
    body = {"employee": org.hr.pk, "leave_type": "annual", "year": year, "entitled_days": "366", "reason": reason}
    response = client.post(reverse("api:attendance:leave_balance_set"), body)
    assert response.status_code == 403 and response.json()["code"] == "own_record"
    form = {
        "employee_no": org.hr.employee_no,
        "leave_type": annual.pk,
        "year": year,
        "entitled_days": "366",
        "reason": "年假天数调整更正",
    }
    response = client.post(reverse("attendance:leave_balance_set"), form)
    assert response.status_code == 400 and "SEC-2" in response.content.decode()
    assert not LeaveBalance.objects.filter(employee=org.hr).exists()
    # and for a colleague it is HR's job
    response = client.post(reverse("attendance:leave_balance_set"), {**form, "employee_no": org.agent.employee_no})
    assert response.status_code == 302, response.context["set_form"].errors
    assert LeaveBalance.objects.get(employee=org.agent).entitled_days == Decimal("366")


# --- The database keeps the two-person rule too ---------------------------------------------------------------


def test_the_database_refuses_an_approver_who_prepared_or_changed_the_sheet(org):
    """Given a draft prepared by HR and adjusted by their colleague, when anything writes it as
    approved by either of them (bypassing the services), then PostgreSQL refuses it (a check on
    prepared_by, a trigger on who changed it); a third colleague's approval is accepted."""
    sheet = _march_sheet(org)
    _adjust(_hr2(org), sheet, org.agent, "100")
    now = timezone.now()
    approve = BonusSheet.objects.filter(pk=sheet.pk).update
    with pytest.raises(IntegrityError), transaction.atomic():
        approve(status="approved", approved_by=org.hr.user, approved_at=now)
    with pytest.raises(DatabaseError), transaction.atomic():
        approve(status="approved", approved_by=_hr2(org).user, approved_at=now)
    with pytest.raises(DatabaseError), transaction.atomic():
        approve(legacy_self_approval=True)
    third = f.UserFactory(username="hr3", roles=[Role.HR])
    approve(status="approved", approved_by=third, approved_at=now)
    assert BonusSheet.objects.get(pk=sheet.pk).status == "approved"
