"""Performance reads (PRF-1..PRF-4), one module per area; every public name is re-exported here
so other apps, views, API and tasks import ``performance.selectors``."""

from performance.selectors.appraisals import *  # noqa: F403
from performance.selectors.bonus import *  # noqa: F403
from performance.selectors.cycles import *  # noqa: F403
from performance.selectors.metrics import *  # noqa: F403
from performance.selectors.setup import *  # noqa: F403
