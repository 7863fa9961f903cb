"""Separation of duties (SEC-2: no overreach), one rule of the product for every app:

    **Nobody acts in a privileged capacity on their own record.**

HR does not set their own leave entitlement or add a reward to their own bonus line, a supervisor
does not decide their own punch correction, nobody evaluates their own appraisal. A service that
exercises such a power declares it, and checks the rule where it loads the row it acts on::

    @privileged_service("attendance.leave_balance_set", label=gettext_lazy("set a leave balance"))
    @transaction.atomic
    def leave_balance_set(*, actor, employee_id: int, ...):
        employee = Employee.objects.filter(pk=employee_id).first()
        ...
        refuse_own_record(actor=actor, employee_id=employee.pk, action="attendance.leave_balance_set")

- :func:`privileged_service` registers the service in :data:`PRIVILEGED_SERVICES` (action →
  :class:`PrivilegedService`). The project's test matrix (``tests/test_duties.py``) has one
  own/other scenario per registered action and fails when a service is registered without one,
  and when a public service of any app is neither registered nor declared not privileged (with
  its reason): a new service must take a side.
- :func:`refuse_own_record` raises :class:`~callcenter.errors.PermissionDeniedError` with
  :attr:`CoreErrorCode.OWN_RECORD` (403) when the record (one employee, or any of several)
  is the actor's own. Actors without an employee record (system jobs, integrations) have no own
  record.
- A registered service that returns without having consulted the rule for its action raises
  ``ImproperlyConfigured`` inside the service's transaction, so nothing it wrote is kept: the
  check cannot be forgotten on one path of a service.

The money rule (two people for every payment: whoever prepared or changed a bonus sheet does not
approve it) is kept by the bonus sheet services and the database (docs/performance-bonus.md).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from callcenter.errors import CoreErrorCode, PermissionDeniedError

__all__ = [
    "PRIVILEGED_SERVICES",
    "PrivilegedService",
    "actor_employee_id",
    "is_own_record",
    "privileged_service",
    "refuse_own_record",
]


@dataclass(frozen=True)
class PrivilegedService:
    action: str  # "<app>.<service name>"
    label: object  # what the service does, lazily translated ("set a leave balance")
    function: Callable


# Every registered privileged service, by action; filled when the apps' services are imported.
PRIVILEGED_SERVICES: dict[str, PrivilegedService] = {}

# The actions of the privileged services running in this context (innermost last), each with
# whether the rule was consulted: [action, checked].
_running: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("privileged_running", default=())


def privileged_service(action: str, *, label) -> Callable[[Callable], Callable]:
    """Declare a service privileged under ``action`` (``"<app>.<service name>"``). The service runs
    in a transaction (nested in its own, if it has one) and must call :func:`refuse_own_record`
    for ``action`` on every path that returns; otherwise the transaction is rolled back and
    ``ImproperlyConfigured`` raised."""
    app, _sep, name = action.partition(".")
    if not app or not name or "." in name:
        raise ImproperlyConfigured(f"A privileged action is '<app>.<service name>', not {action!r}.")

    def decorator(func: Callable) -> Callable:
        if func.__name__ != name or not func.__module__.startswith(f"{app}."):
            raise ImproperlyConfigured(f"{func.__module__}.{func.__name__} cannot register as {action!r}.")
        known = PRIVILEGED_SERVICES.get(action)
        if known is not None and known.function.__qualname__ != func.__qualname__:
            raise ImproperlyConfigured(f"{action!r} is registered twice.")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            frame = [action, False]
            token = _running.set((*_running.get(), frame))
            try:
                with transaction.atomic():
                    result = func(*args, **kwargs)
                    if not frame[1]:
                        raise ImproperlyConfigured(
                            f"{action} returned without checking the own-record rule (refuse_own_record)."
                        )
            finally:
                _running.reset(token)
            return result

        wrapper.privileged_action = action
        PRIVILEGED_SERVICES[action] = PrivilegedService(action=action, label=label, function=wrapper)
        return wrapper

    return decorator


def actor_employee_id(actor) -> int | None:
    """The employee record of ``actor`` (a user), if any. A user without one (a system account, a
    superuser who is not staff on the payroll, an integration) has no own record."""
    # user.employee raises RelatedObjectDoesNotExist (an AttributeError) when there is none.
    employee = getattr(actor, "employee", None) if actor is not None else None
    return getattr(employee, "pk", None)


def is_own_record(*, actor, employee_id: int | None = None, employee_ids: Iterable[int] = ()) -> bool:
    """Whether the record (of ``employee_id``, or of any of ``employee_ids``) is the actor's own:
    for pages that hide a button the service would refuse."""
    mine = actor_employee_id(actor)
    if mine is None:
        return False
    return mine == employee_id or mine in set(employee_ids)


def refuse_own_record(*, actor, action: str, employee_id: int | None = None, employee_ids: Iterable[int] = ()) -> None:
    """Refuse (PermissionDeniedError, code ``own_record``, 403) when ``actor`` would exercise the
    registered privileged ``action`` on their own record: the employee ``employee_id``, or any
    of ``employee_ids`` (a record about several people). Call it where the row is loaded, before
    anything is written."""
    service = PRIVILEGED_SERVICES.get(action)
    if service is None:
        raise ImproperlyConfigured(f"{action!r} is not a registered privileged service (@privileged_service).")
    for frame in _running.get():
        if frame[0] == action:
            frame[1] = True
    if is_own_record(actor=actor, employee_id=employee_id, employee_ids=employee_ids):
        raise PermissionDeniedError(
            _(
                "You cannot %(action)s on your own record: nobody acts in a privileged capacity on their "
                "own record (separation of duties, SEC-2). A colleague with the same role does it."
            )
            % {"action": service.label},
            code=CoreErrorCode.OWN_RECORD,
        )
