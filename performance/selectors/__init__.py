"""Performance reads (PRF-1..PRF-4), one module per area; every public name is re-exported here
so other apps, views, API and tasks import ``performance.selectors``."""

from .appraisals import *  # noqa: F403
from .bonus import *  # noqa: F403
from .cycles import *  # noqa: F403
from .metrics import *  # noqa: F403
from .setup import *  # noqa: F403
