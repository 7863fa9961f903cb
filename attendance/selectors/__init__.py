"""Reads of the attendance app (the public face, with selectors). One module per area;
every public name is re-exported here, so callers import ``attendance.selectors``."""

from .corrections import *  # noqa: F403
from .daily import *  # noqa: F403
from .leave import *  # noqa: F403
from .punches import *  # noqa: F403
from .roster import *  # noqa: F403
