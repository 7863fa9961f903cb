"""Performance writes (PRF-1..PRF-4), one module per area; every public name is re-exported here
so other apps, views, API and tasks import ``performance.services``."""

from performance.services.appraisals import *  # noqa: F403
from performance.services.bonus import *  # noqa: F403
from performance.services.cycles import *  # noqa: F403
from performance.services.metrics import *  # noqa: F403
from performance.services.setup import *  # noqa: F403
