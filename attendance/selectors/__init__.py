"""Reads of the attendance app (its public face, with :mod:`attendance.services`), one module per
area; every public name is re-exported here, so callers write
``from attendance.selectors import attendance_month_results``."""

from attendance.selectors import corrections, daily, dashboard, leave, punches, retention, roster, search
from attendance.selectors.corrections import *  # noqa: F403
from attendance.selectors.daily import *  # noqa: F403
from attendance.selectors.dashboard import *  # noqa: F403
from attendance.selectors.leave import *  # noqa: F403
from attendance.selectors.punches import *  # noqa: F403
from attendance.selectors.retention import *  # noqa: F403
from attendance.selectors.roster import *  # noqa: F403
from attendance.selectors.search import *  # noqa: F403

__all__ = [
    *corrections.__all__,
    *daily.__all__,
    *dashboard.__all__,
    *leave.__all__,
    *punches.__all__,
    *retention.__all__,
    *roster.__all__,
    *search.__all__,
]
