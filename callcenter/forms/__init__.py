"""Forms of the core app's pages, one module per area."""

from callcenter.forms import accounts, changes, grants, hiring, leavers, org, policies, search
from callcenter.forms.accounts import *  # noqa: F403
from callcenter.forms.changes import *  # noqa: F403
from callcenter.forms.grants import *  # noqa: F403
from callcenter.forms.hiring import *  # noqa: F403
from callcenter.forms.leavers import *  # noqa: F403
from callcenter.forms.org import *  # noqa: F403
from callcenter.forms.policies import *  # noqa: F403
from callcenter.forms.search import *  # noqa: F403

__all__ = [
    *accounts.__all__,
    *changes.__all__,
    *grants.__all__,
    *hiring.__all__,
    *leavers.__all__,
    *org.__all__,
    *policies.__all__,
    *search.__all__,
]
