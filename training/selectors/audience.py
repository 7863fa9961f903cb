"""Who an audience (a plan item's, a mandatory course's) is, on a given day (TRN-1)."""

import datetime

from django.db.models import Q, QuerySet

from callcenter.models import Employee, EmploymentStatus
from training.models import AudienceKind

__all__ = ["audience_employees", "audience_label"]


def audience_employees(audience, *, day: datetime.date, new_hire_days: int = 30) -> QuerySet[Employee]:
    """The active employees ``audience`` (any model with the ``Audience`` fields) names on ``day``.

    New hires are those hired within ``new_hire_days`` before ``day`` (the training policy's
    ``new_hire_days``, TRN-1). One query when evaluated (the M2M ids are a subquery)."""
    qs = Employee.objects.filter(status=EmploymentStatus.ACTIVE, hire_date__lte=day)
    kind = audience.audience_kind
    if kind == AudienceKind.EVERYONE:
        return qs
    if kind == AudienceKind.NEW_HIRES:
        return qs.filter(hire_date__gt=day - datetime.timedelta(days=new_hire_days))
    if kind == AudienceKind.POSITIONS:
        return qs.filter(position__in=audience.audience_positions.values("pk"))
    if kind == AudienceKind.TEAMS:
        return qs.filter(team__in=audience.audience_teams.values("pk"))
    if kind == AudienceKind.PEOPLE:
        return qs.filter(pk__in=audience.audience_people.values("pk"))
    return qs.filter(Q(pk__in=[]))


def audience_label(audience) -> str:
    """The audience in words for lists: the kind, and the names of what it names (prefetch the
    M2M to keep a list's queries bounded)."""
    kind = AudienceKind(audience.audience_kind)
    names = {
        AudienceKind.POSITIONS: lambda: [p.name for p in audience.audience_positions.all()],
        AudienceKind.TEAMS: lambda: [t.name for t in audience.audience_teams.all()],
        AudienceKind.PEOPLE: lambda: [e.name for e in audience.audience_people.all()],
    }.get(kind)
    if names is None:
        return str(kind.label)
    return f"{kind.label}: {', '.join(names()) or '—'}"
