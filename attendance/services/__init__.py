"""Writes of the attendance app (its public face, with :mod:`attendance.selectors`), one module
per area; every public name is re-exported here, so callers write
``from attendance.services import leave_request_approve``."""

from attendance.services import corrections, daily, leave, punches, retention, roster
from attendance.services.corrections import *  # noqa: F403
from attendance.services.daily import *  # noqa: F403
from attendance.services.leave import *  # noqa: F403
from attendance.services.punches import *  # noqa: F403
from attendance.services.retention import *  # noqa: F403
from attendance.services.roster import *  # noqa: F403

__all__ = [*corrections.__all__, *daily.__all__, *leave.__all__, *punches.__all__, *retention.__all__, *roster.__all__]
