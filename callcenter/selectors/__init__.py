"""Reads of the core app, one module per area; every public name is re-exported here, so callers
write ``from callcenter.selectors import employee_list``. Visibility (whose records a user may see) is
decided in :mod:`callcenter.selectors.org`, always."""

from callcenter.selectors import (
    accounts,
    changes,
    dashboard,
    directory,
    grants,
    hiring,
    leavers,
    notifications,
    ops,
    org,
    people,
    policies,
    search,
)
from callcenter.selectors.accounts import *  # noqa: F403
from callcenter.selectors.changes import *  # noqa: F403
from callcenter.selectors.dashboard import *  # noqa: F403
from callcenter.selectors.directory import *  # noqa: F403
from callcenter.selectors.grants import *  # noqa: F403
from callcenter.selectors.hiring import *  # noqa: F403
from callcenter.selectors.leavers import *  # noqa: F403
from callcenter.selectors.notifications import *  # noqa: F403
from callcenter.selectors.ops import *  # noqa: F403
from callcenter.selectors.org import *  # noqa: F403
from callcenter.selectors.people import *  # noqa: F403
from callcenter.selectors.policies import *  # noqa: F403
from callcenter.selectors.search import *  # noqa: F403

__all__ = [
    *accounts.__all__,
    *changes.__all__,
    *dashboard.__all__,
    *directory.__all__,
    *grants.__all__,
    *hiring.__all__,
    *leavers.__all__,
    *notifications.__all__,
    *ops.__all__,
    *org.__all__,
    *people.__all__,
    *policies.__all__,
    *search.__all__,
]
