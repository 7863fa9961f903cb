"""Tables of the attendance app (ATT-1..ATT-5, LV-1..LV-5), one module per area; every model is
re-exported here (Django finds them through this package), so callers write
``from attendance.models import LeaveRequest``."""

from attendance.models import corrections, daily, leave, punches, roster
from attendance.models.corrections import *  # noqa: F403
from attendance.models.daily import *  # noqa: F403
from attendance.models.leave import *  # noqa: F403
from attendance.models.punches import *  # noqa: F403
from attendance.models.roster import *  # noqa: F403

__all__ = [*corrections.__all__, *daily.__all__, *leave.__all__, *punches.__all__, *roster.__all__]
