"""The core app's tables, one module per area; every model is re-exported here, so other apps
write ``from callcenter.models import Employee`` (Django finds the models through this package)."""

from callcenter.models import accounts, grants, leavers, notifications, ops, org, people, policies
from callcenter.models.accounts import *  # noqa: F403
from callcenter.models.grants import *  # noqa: F403
from callcenter.models.leavers import *  # noqa: F403
from callcenter.models.notifications import *  # noqa: F403
from callcenter.models.ops import *  # noqa: F403
from callcenter.models.org import *  # noqa: F403
from callcenter.models.people import *  # noqa: F403
from callcenter.models.policies import *  # noqa: F403

__all__ = [
    *accounts.__all__,
    *grants.__all__,
    *leavers.__all__,
    *notifications.__all__,
    *ops.__all__,
    *org.__all__,
    *people.__all__,
    *policies.__all__,
]
