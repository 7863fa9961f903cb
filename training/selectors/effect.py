"""The effect of a course or of a plan item (TRN-3): attendance rate, average score, pass rate,
satisfaction, and the change in the related appraisal indicator for participants against the
non-participants of the same teams, with HR's conclusions.

Participants are the people who came to a session of the course (present or late) or have a
training record of it in the period; a person's training month is the month of their first such
session or record. The non-participants of a team are measured around the first training month of
their team's participants. The comparison's rules are in :mod:`training.rules.effect`; the
indicator values come from the appraisal through ``callcenter.providers`` (performance above).
A fixed number of queries whatever the number of sessions, people and records (~10).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Employee, EmploymentStatus
from callcenter.providers import training_indicator_provider
from callcenter.roles import Role, has_role
from training.models import (
    AttendanceMark,
    Course,
    EffectReview,
    Enrolment,
    EnrolmentStatus,
    RecordResult,
    SatisfactionResponse,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
)
from training.rules import (
    EFFECT_MIN_PEOPLE,
    difference_of_differences,
    effect_windows,
    group_change,
    person_change,
    rate,
)
from training.selectors.plan import PLAN_READ_ROLES, plan_item_get

__all__ = ["EFFECT_READ_ROLES", "EFFECT_REVIEW_ROLES", "effect_course", "effect_course_choices", "effect_plan_item"]

EFFECT_READ_ROLES = PLAN_READ_ROLES
EFFECT_REVIEW_ROLES = (Role.HR,)


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _indicator_effect(*, code: str, first_month: dict[int, datetime.date], min_people: int) -> dict:
    provider = training_indicator_provider()
    result = {"code": code, "available": provider is not None, "min_people": min_people}
    if not code or provider is None or not first_month:
        return {**result, "participants": group_change([]), "others": group_change([]), "effect": None, "chart": None}
    result["label"] = dict(provider.indicators()).get(code, code)
    teams = dict(Employee.objects.filter(pk__in=first_month).values_list("pk", "team_id"))
    team_month: dict[int, datetime.date] = {}
    for employee_id, month in first_month.items():
        team = teams.get(employee_id)
        if team is not None and (team not in team_month or month < team_month[team]):
            team_month[team] = month
    others = {
        pk: team_month[team]
        for pk, team in Employee.objects.filter(status=EmploymentStatus.ACTIVE, team_id__in=team_month)
        .exclude(pk__in=first_month)
        .values_list("pk", "team_id")
    }
    months = set()
    for month in [*first_month.values(), *others.values()]:
        before, after = effect_windows(month)
        months.update(before + after)
    values = provider.employee_values(indicator_code=code, employee_ids=[*first_month, *others], months=sorted(months))
    per_person: dict[int, dict] = defaultdict(dict)
    for (employee_id, month), value in values.items():
        per_person[employee_id][month] = value

    def changes(group: dict[int, datetime.date]):
        return [person_change(per_person.get(pk, {}), month) for pk, month in group.items()]

    def window_means(group: dict[int, datetime.date]) -> list[float | None]:
        sums = [[], [], []]
        for pk, month in group.items():
            before, after = effect_windows(month)
            for slot, m in enumerate(before + after):
                if per_person.get(pk, {}).get(m) is not None:
                    sums[slot].append(per_person[pk][m])
        return [round(float(sum(s) / len(s)), 2) if len(s) >= min_people else None for s in sums]

    participants = group_change(changes(first_month), min_people=min_people)
    non_participants = group_change(changes(others), min_people=min_people)
    chart = {
        "labels": [_("Month before"), _("First month after"), _("Second month after")],
        "participants": window_means(first_month),
        "others": window_means(others),
        "participants_label": _("Participants"),
        "others_label": _("Non-participants, same teams"),
    }
    return {
        **result,
        "participants": participants,
        "others": non_participants,
        "effect": difference_of_differences(participants, non_participants),
        "chart": chart,
    }


def _effect(
    *,
    course: Course | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    indicator_code: str,
    min_people: int = EFFECT_MIN_PEOPLE,
) -> dict:
    empty = {
        "enrolled": 0,
        "attended": 0,
        "attendance_rate": None,
        "average_score": None,
        "assessed": 0,
        "passed": 0,
        "pass_rate": None,
        "satisfaction": None,
        "answers": 0,
    }
    if course is None:
        return {**empty, "indicator": _indicator_effect(code=indicator_code, first_month={}, min_people=min_people)}
    now = timezone.now()
    sessions = TrainingSession.objects.filter(course=course, starts_at__lte=now).exclude(status=SessionStatus.CANCELLED)
    records = TrainingRecord.objects.filter(course=course)
    if date_from:
        sessions = sessions.filter(starts_at__date__gte=date_from)
        records = records.filter(completed_on__gte=date_from)
    if date_to:
        sessions = sessions.filter(starts_at__date__lte=date_to)
        records = records.filter(completed_on__lte=date_to)
    enrolments = list(
        Enrolment.objects.filter(session__in=sessions, status=EnrolmentStatus.ENROLLED).values_list(
            "employee_id", "attendance", "session__starts_at"
        )
    )
    came = (AttendanceMark.PRESENT, AttendanceMark.LATE)
    attended = [e for e in enrolments if e[1] in came]
    first_month: dict[int, datetime.date] = {}
    for employee_id, _mark, starts_at in attended:
        month = _month(timezone.localtime(starts_at).date())
        if employee_id not in first_month or month < first_month[employee_id]:
            first_month[employee_id] = month
    figures = records.aggregate(
        average=Avg("score"),
        assessed=Count("pk", filter=Q(result__in=[RecordResult.PASSED, RecordResult.FAILED])),
        passed=Count("pk", filter=Q(result=RecordResult.PASSED)),
    )
    for employee_id, completed_on in records.exclude(result=RecordResult.ABSENT).values_list(
        "employee_id", "completed_on"
    ):
        month = _month(completed_on)
        if employee_id not in first_month or month < first_month[employee_id]:
            first_month[employee_id] = month
    satisfaction = SatisfactionResponse.objects.filter(
        enrolment__session__in=sessions, enrolment__status=EnrolmentStatus.ENROLLED
    ).aggregate(average=Avg("rating"), answers=Count("pk"))
    average = figures["average"]
    return {
        "enrolled": len(enrolments),
        "attended": len(attended),
        "attendance_rate": rate(len(attended), len(enrolments)),
        "average_score": round(average, 2) if average is not None else None,
        "assessed": figures["assessed"],
        "passed": figures["passed"],
        "pass_rate": rate(figures["passed"], figures["assessed"]),
        "satisfaction": round(satisfaction["average"], 2) if satisfaction["average"] is not None else None,
        "answers": satisfaction["answers"],
        "participants": len(first_month),
        "indicator": _indicator_effect(code=indicator_code, first_month=first_month, min_people=min_people),
    }


def _indicators() -> list[tuple[str, str]]:
    provider = training_indicator_provider()
    return provider.indicators() if provider else []


def effect_course_choices(*, user):
    if not has_role(user, *EFFECT_READ_ROLES):
        return Course.objects.none()
    return Course.objects.order_by("code")


def effect_course(*, user, course_id, indicator_code: str = "", year: int | None = None) -> dict:
    """The effect page of a course (TRN-3), over ``year`` (every year when None)."""
    course = effect_course_choices(user=user).filter(pk=course_id).first() if course_id else None
    if course is None:
        raise NotFoundError(_("No such course."))
    date_from = datetime.date(year, 1, 1) if year else None
    date_to = datetime.date(year, 12, 31) if year else None
    indicators = _indicators()
    if indicator_code not in dict(indicators):
        indicator_code = ""
    return {
        "subject": "course",
        "course": course,
        "year": year,
        "indicators": indicators,
        "indicator_code": indicator_code,
        "figures": _effect(course=course, date_from=date_from, date_to=date_to, indicator_code=indicator_code),
        "reviews": list(EffectReview.objects.filter(course=course).select_related("reviewed_by")[:20]),
    }


def effect_plan_item(*, user, plan_id, lineage) -> dict:
    """The effect page of a plan item (its lineage, TRN-3): its course over the plan's year, and
    the item's related indicator."""
    if not has_role(user, *EFFECT_READ_ROLES):
        raise NotFoundError(_("No such item in this plan."))
    item = plan_item_get(user=user, plan_id=plan_id, lineage=lineage)
    plan = item.version.plan
    indicators = _indicators()
    return {
        "subject": "item",
        "item": item,
        "plan": plan,
        "course": item.course,
        "year": plan.year,
        "indicators": indicators,
        "indicator_code": item.indicator_code,
        "figures": _effect(
            course=item.course,
            date_from=datetime.date(plan.year, 1, 1),
            date_to=datetime.date(plan.year, 12, 31),
            indicator_code=item.indicator_code,
        ),
        "reviews": list(
            EffectReview.objects.filter(plan=plan, lineage=item.lineage).select_related("reviewed_by")[:20]
        ),
    }
