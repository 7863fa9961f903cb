"""Writes of the core app, one module per area; every public name is re-exported here, so callers
write ``from callcenter.services import notification_send``."""

from callcenter.services import (
    accounts,
    changes,
    directory,
    grants,
    hiring,
    leavers,
    notifications,
    ops,
    org,
    people,
    policies,
)
from callcenter.services.accounts import *  # noqa: F403
from callcenter.services.changes import *  # noqa: F403
from callcenter.services.directory import *  # noqa: F403
from callcenter.services.grants import *  # noqa: F403
from callcenter.services.hiring import *  # noqa: F403
from callcenter.services.leavers import *  # noqa: F403
from callcenter.services.notifications import *  # noqa: F403
from callcenter.services.ops import *  # noqa: F403
from callcenter.services.org import *  # noqa: F403
from callcenter.services.people import *  # noqa: F403
from callcenter.services.policies import *  # noqa: F403

__all__ = [
    *accounts.__all__,
    *changes.__all__,
    *directory.__all__,
    *grants.__all__,
    *hiring.__all__,
    *leavers.__all__,
    *notifications.__all__,
    *ops.__all__,
    *org.__all__,
    *people.__all__,
    *policies.__all__,
]
