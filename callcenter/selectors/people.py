"""Reads of people's employment history (GEN-1): each person sees their own, supervisors and
managers their remit's, HR everyone's (visibility from :mod:`callcenter.selectors.org`)."""

from django.db.models import QuerySet

from callcenter.models import EmploymentEvent
from callcenter.selectors.org import employee_get

__all__ = ["employment_history"]


def employment_history(*, user, employee_id: int) -> QuerySet[EmploymentEvent]:
    """The employment events of one employee ``user`` may see, newest first (NotFoundError
    otherwise: no leak)."""
    employee = employee_get(user=user, pk=employee_id)
    return (
        EmploymentEvent.objects.filter(employee=employee).select_related("recorded_by").order_by("-effective_on", "-pk")
    )
