"""Writes about mandatory courses (TRN-1, TRN-3; SEC-3's yearly awareness course): HR marks a
course mandatory for an audience with a deadline; the daily job reminds learners and their
supervisors before, on and after the deadline, once per stage; HR exports the compliance report.

The reminder job (:func:`training_reminders_send`) reads everything in bulk (the obligations of
every active employee: a constant number of queries, ``training.selectors.compliance_obligations``),
writes the new :class:`~training.models.TrainingReminder` rows in batches (their unique key makes
a rerun, or a second worker, send nothing twice), notifies per (course, deadline, stage) group in
one ``notification_send`` each, and records one audit event per run.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.models import Employee, Position, Team
from callcenter.roles import Role, has_role
from callcenter.selectors import policy_in_force
from callcenter.services import hr_company_wide_require, notification_send
from datasecurity.services import audit_record
from training import rules
from training.errors import TrainingErrorCode
from training.models import (
    AudienceKind,
    Course,
    DeadlineKind,
    MandatoryCourse,
    ReminderStage,
    TrainingPolicy,
    TrainingReminder,
)
from training.selectors import compliance_obligations, compliance_team_rows, compliance_teams, mandatory_rules

__all__ = [
    "COMPLIANCE_EXPORT_FORMATS",
    "REMINDER_BATCH",
    "compliance_report_export",
    "mandatory_course_create",
    "mandatory_course_update",
    "training_reminders_send",
]

COMPLIANCE_EXPORT_FORMATS = ("csv", "xlsx")
REMINDER_BATCH = 1000  # reminder rows per INSERT

_LEARNER_TITLES = {
    ReminderStage.BEFORE: gettext_lazy("Mandatory course %(course)s: pass it by %(deadline)s"),
    ReminderStage.DUE: gettext_lazy("Mandatory course %(course)s: the deadline is today (%(deadline)s)"),
    ReminderStage.OVERDUE: gettext_lazy("Mandatory course %(course)s: overdue since %(deadline)s"),
}
_LEARNER_BODY = gettext_lazy(
    "TRN-3: a mandatory course must be passed by its deadline; a course missed counts against the "
    "monthly appraisal. Your training page lists your sessions and courses."
)
_SUPERVISOR_TITLES = {
    ReminderStage.BEFORE: gettext_lazy("%(count)s of your team must pass %(course)s by %(deadline)s"),
    ReminderStage.DUE: gettext_lazy("%(count)s of your team must pass %(course)s today (%(deadline)s)"),
    ReminderStage.OVERDUE: gettext_lazy("%(count)s of your team are overdue with %(course)s (since %(deadline)s)"),
}
_SUPERVISOR_BODY = gettext_lazy("TRN-3: the compliance page lists who of your team is due or overdue.")


def _require_hr(actor) -> None:
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR manages mandatory courses (TRN-1)."), code=TrainingErrorCode.NOT_ALLOWED)
    hr_company_wide_require(actor)


def _invalid(message) -> ApplicationError:
    return ApplicationError(message, code=TrainingErrorCode.INVALID_INPUT)


def _check(
    *,
    deadline_kind: str,
    days_after_hire: int | None,
    yearly_month: int | None,
    yearly_day: int | None,
    fixed_date: datetime.date | None,
    audience_kind: str,
) -> dict:
    """The deadline fields that count for ``deadline_kind`` (the others emptied), or a refusal."""
    if audience_kind not in AudienceKind.values:
        raise _invalid(_("Choose who the course is for."))
    if deadline_kind == DeadlineKind.AFTER_HIRE:
        if days_after_hire is not None and not 1 <= days_after_hire <= 3650:
            raise _invalid(_("Days after hire are between 1 and 3650."))
        return {"days_after_hire": days_after_hire, "yearly_month": None, "yearly_day": None, "fixed_date": None}
    if deadline_kind == DeadlineKind.YEARLY:
        if yearly_month is None or yearly_day is None or not 1 <= yearly_month <= 12:
            raise _invalid(_("A yearly deadline needs a month and a day."))
        if not 1 <= yearly_day <= calendar.monthrange(2024, yearly_month)[1]:  # 2024: 29 February exists
            raise _invalid(_("That month has no such day."))
        return {"days_after_hire": None, "yearly_month": yearly_month, "yearly_day": yearly_day, "fixed_date": None}
    if deadline_kind == DeadlineKind.FIXED:
        if fixed_date is None:
            raise _invalid(_("A fixed deadline needs its date."))
        return {"days_after_hire": None, "yearly_month": None, "yearly_day": None, "fixed_date": fixed_date}
    raise _invalid(_("Choose the kind of deadline."))


def _apply(mandatory: MandatoryCourse, *, fields: dict, positions, teams, people) -> None:
    for name, value in fields.items():
        setattr(mandatory, name, value)
    mandatory.save()
    kind = mandatory.audience_kind
    mandatory.audience_positions.set(
        Position.objects.filter(pk__in=list(positions or [])) if kind == AudienceKind.POSITIONS else []
    )
    mandatory.audience_teams.set(Team.objects.filter(pk__in=list(teams or [])) if kind == AudienceKind.TEAMS else [])
    mandatory.audience_people.set(
        Employee.objects.filter(pk__in=list(people or [])) if kind == AudienceKind.PEOPLE else []
    )
    if kind in (AudienceKind.POSITIONS, AudienceKind.TEAMS, AudienceKind.PEOPLE):
        named = {
            AudienceKind.POSITIONS: mandatory.audience_positions,
            AudienceKind.TEAMS: mandatory.audience_teams,
            AudienceKind.PEOPLE: mandatory.audience_people,
        }[kind]
        if not named.exists():
            raise ApplicationError(
                _("Name at least one of the audience's %(kind)s.") % {"kind": AudienceKind(kind).label.lower()},
                code=TrainingErrorCode.AUDIENCE_EMPTY,
            )


def _snapshot(mandatory: MandatoryCourse) -> dict:
    return {
        "course": mandatory.course.code,
        "audience": mandatory.audience_kind,
        "deadline_kind": mandatory.deadline_kind,
        "days_after_hire": mandatory.days_after_hire,
        "yearly": f"{mandatory.yearly_month}-{mandatory.yearly_day}" if mandatory.yearly_month else None,
        "fixed_date": mandatory.fixed_date.isoformat() if mandatory.fixed_date else None,
        "applies_from": mandatory.applies_from.isoformat(),
        "active": mandatory.active,
    }


@transaction.atomic
def mandatory_course_create(
    *,
    actor,
    course_id: int,
    deadline_kind: str,
    audience_kind: str = AudienceKind.EVERYONE,
    positions=(),
    teams=(),
    people=(),
    days_after_hire: int | None = None,
    yearly_month: int | None = None,
    yearly_day: int | None = None,
    fixed_date: datetime.date | None = None,
    applies_from: datetime.date | None = None,
    active: bool = True,
) -> MandatoryCourse:
    """HR marks a course mandatory for an audience with a deadline (TRN-1, TRN-3). Audited."""
    _require_hr(actor)
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    if not course.active:
        raise ApplicationError(_("The course is inactive; activate it first."), code=TrainingErrorCode.COURSE_INACTIVE)
    fields = _check(
        deadline_kind=deadline_kind,
        days_after_hire=days_after_hire,
        yearly_month=yearly_month,
        yearly_day=yearly_day,
        fixed_date=fixed_date,
        audience_kind=audience_kind,
    )
    mandatory = MandatoryCourse(course=course, created_by=actor)
    fields.update(
        deadline_kind=deadline_kind,
        audience_kind=audience_kind,
        applies_from=applies_from or timezone.localdate(),
        active=active,
    )
    _apply(mandatory, fields=fields, positions=positions, teams=teams, people=people)
    audit_record(actor=actor, action="mandatory_course.create", obj=mandatory, changes=_snapshot(mandatory))
    return mandatory


@transaction.atomic
def mandatory_course_update(
    *,
    actor,
    mandatory_id: int,
    deadline_kind: str,
    audience_kind: str,
    positions=(),
    teams=(),
    people=(),
    days_after_hire: int | None = None,
    yearly_month: int | None = None,
    yearly_day: int | None = None,
    fixed_date: datetime.date | None = None,
    applies_from: datetime.date | None = None,
    active: bool = True,
) -> MandatoryCourse:
    """HR changes a mandatory course's audience, deadline or switches it off (TRN-1). Audited with
    the before and after; reminders already sent stay (their deadline is part of their key)."""
    _require_hr(actor)
    mandatory = MandatoryCourse.objects.select_for_update().select_related("course").filter(pk=mandatory_id).first()
    if mandatory is None:
        raise NotFoundError(_("Mandatory course not found."))
    before = _snapshot(mandatory)
    fields = _check(
        deadline_kind=deadline_kind,
        days_after_hire=days_after_hire,
        yearly_month=yearly_month,
        yearly_day=yearly_day,
        fixed_date=fixed_date,
        audience_kind=audience_kind,
    )
    fields.update(
        deadline_kind=deadline_kind,
        audience_kind=audience_kind,
        applies_from=applies_from or mandatory.applies_from,
        active=active,
    )
    _apply(mandatory, fields=fields, positions=positions, teams=teams, people=people)
    after = _snapshot(mandatory)
    audit_record(
        actor=actor,
        action="mandatory_course.update",
        obj=mandatory,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return mandatory


def training_reminders_send(*, today: datetime.date | None = None, actor=None) -> dict:
    """The daily reminder job (TRN-3): every active employee with a mandatory course not yet
    passed, from ``reminder_days_before`` days ahead of its deadline (``before``), on the day
    (``due``) and after it (``overdue``), is reminded in the app and by e-mail, and so is their
    team's supervisor (one notice per course, deadline and stage, with the count), ONCE per stage:
    a :class:`TrainingReminder` row per (employee, mandatory course, deadline, stage) is written with
    the notices, and a rerun sends nothing twice. Bulk reads, batched writes, one audit event."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Serialises concurrent runs: the second waits, then finds the first one's reminders.
        locked = list(MandatoryCourse.objects.select_for_update().filter(active=True).values_list("pk", flat=True))
        if not locked:
            return {"date": today.isoformat(), "reminders": 0, "learners": 0, "supervisors": 0}
        policy = policy_in_force(TrainingPolicy, today)
        mandatory = mandatory_rules()
        rows = compliance_obligations(employees=Employee.objects.all(), today=today, mandatory=mandatory, policy=policy)
        candidates = {}
        for row in rows:
            if row.state == "done":
                continue
            stage = rules.reminder_stage(deadline=row.deadline, today=today, days_before=policy.reminder_days_before)
            if stage is not None:
                candidates[row.employee["pk"], row.rule.pk, row.deadline, stage] = row
        if not candidates:
            return {"date": today.isoformat(), "reminders": 0, "learners": 0, "supervisors": 0}
        earliest = min(key[2] for key in candidates)
        sent = set(
            TrainingReminder.objects.filter(
                mandatory_id__in=[m.pk for m in mandatory], deadline__gte=earliest
            ).values_list("employee_id", "mandatory_id", "deadline", "stage")
        )
        new = {key: row for key, row in candidates.items() if key not in sent}
        now = timezone.now()
        TrainingReminder.objects.bulk_create(
            [TrainingReminder(employee_id=e, mandatory_id=m, deadline=d, stage=s, sent_at=now) for (e, m, d, s) in new],
            batch_size=REMINDER_BATCH,
            ignore_conflicts=True,
        )
        learners: dict[tuple, list[int]] = defaultdict(list)
        supervisors: dict[tuple, list[int]] = defaultdict(list)
        for (employee_id, _m, deadline, stage), row in new.items():
            key = (row.rule, deadline, stage)
            if row.employee["user_id"]:
                learners[key].append(row.employee["user_id"])
            supervisor_user = row.employee["team__supervisor__user_id"]
            if supervisor_user and row.employee["team__supervisor_id"] != employee_id:
                supervisors[(supervisor_user, *key)].append(employee_id)
        url = reverse("training:my_training")
        compliance_url = reverse("training:compliance_people")
        for (rule, deadline, stage), user_ids in learners.items():
            notification_send(
                recipients=user_ids,
                kind="training.reminder",
                title=_LEARNER_TITLES[stage],
                body=_LEARNER_BODY,
                url=url,
                params={"course": rule.course_title, "deadline": deadline.isoformat()},
            )
        for (supervisor_user, rule, deadline, stage), employee_ids in supervisors.items():
            notification_send(
                recipients=[supervisor_user],
                kind="training.reminder_team",
                title=_SUPERVISOR_TITLES[stage],
                body=_SUPERVISOR_BODY,
                url=f"{compliance_url}?state={'overdue' if stage == ReminderStage.OVERDUE else 'due'}",
                params={"course": rule.course_title, "deadline": deadline.isoformat(), "count": len(employee_ids)},
            )
        result = {
            "date": today.isoformat(),
            "reminders": len(new),
            "learners": len({key[0] for key in new}),
            "supervisors": len({key[0] for key in supervisors}),
        }
        if new:
            audit_record(
                actor=actor,
                action="training_reminder.send",
                object_type="training.trainingreminder",
                object_id=today.isoformat(),
                changes=result,
                actor_label="" if actor else "training-reminders",
            )
        return result


@transaction.atomic
def compliance_report_export(*, actor, fmt: str, filters: dict | None = None) -> ExportFile:
    """The compliance report (TRN-3) of every team the reader sees, as CSV or XLSX: done / due /
    overdue and % compliant. Audited (``training_compliance.export``)."""
    if fmt not in COMPLIANCE_EXPORT_FORMATS:
        raise NotFoundError(_("Unknown export format."))
    teams = list(compliance_teams(user=actor, filters=filters))
    rows = compliance_team_rows(user=actor, teams=teams)
    headers = [
        _("Department"),
        _("Team"),
        _("People with a mandatory course"),
        _("Done"),
        _("Due"),
        _("Overdue"),
        _("Compliance rate"),
    ]
    data = [[r.team.department.name, r.team.name, r.people, r.done, r.due, r.overdue, r.percent] for r in rows]
    audit_record(
        actor=actor,
        action="training_compliance.export",
        object_type="training.mandatorycourse",
        object_id="compliance",
        changes={"format": fmt, "rows": len(data)},
    )
    name = f"training-compliance-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_file(filename=name, headers=headers, rows=data)
    return xlsx_file(filename=name, headers=headers, rows=data, sheet_title=str(_("Compliance"))[:31])
