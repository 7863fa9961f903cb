"""Writes of the attendance app (the public face, with selectors). One module per area;
every public name is re-exported here, so callers import ``attendance.services``."""

from attendance.services.corrections import *  # noqa: F403
from attendance.services.daily import *  # noqa: F403
from attendance.services.leave import *  # noqa: F403
from attendance.services.punches import *  # noqa: F403
from attendance.services.roster import *  # noqa: F403
