"""Performance writes (PRF-1..PRF-4), one module per area; every public name is re-exported here,
so other apps, views, API and tasks write ``from performance.services import appraisal_self_save``."""

from performance.services import appraisals, bonus, cycles, metrics, retention, setup
from performance.services.appraisals import *  # noqa: F403
from performance.services.bonus import *  # noqa: F403
from performance.services.cycles import *  # noqa: F403
from performance.services.metrics import *  # noqa: F403
from performance.services.retention import *  # noqa: F403
from performance.services.setup import *  # noqa: F403

__all__ = [*appraisals.__all__, *bonus.__all__, *cycles.__all__, *metrics.__all__, *retention.__all__, *setup.__all__]
