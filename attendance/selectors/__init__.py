"""Reads of the attendance app (the public face, with selectors). One module per area;
every public name is re-exported here, so callers import ``attendance.selectors``."""

from attendance.selectors.corrections import *  # noqa: F403
from attendance.selectors.daily import *  # noqa: F403
from attendance.selectors.leave import *  # noqa: F403
from attendance.selectors.punches import *  # noqa: F403
from attendance.selectors.roster import *  # noqa: F403
