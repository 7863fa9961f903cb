"""Performance reads (PRF-1..PRF-4), one module per area; every public name is re-exported here,
so other apps, views, API and tasks write ``from performance.selectors import appraisal_list``.
Visibility of people's records is decided in :mod:`callcenter.selectors.org`, always."""

from performance.selectors import appraisals, bonus, cycles, dashboard, metrics, retention, setup, training_feed
from performance.selectors.appraisals import *  # noqa: F403
from performance.selectors.bonus import *  # noqa: F403
from performance.selectors.cycles import *  # noqa: F403
from performance.selectors.dashboard import *  # noqa: F403
from performance.selectors.metrics import *  # noqa: F403
from performance.selectors.retention import *  # noqa: F403
from performance.selectors.setup import *  # noqa: F403
from performance.selectors.training_feed import *  # noqa: F403

__all__ = [
    *appraisals.__all__,
    *bonus.__all__,
    *cycles.__all__,
    *dashboard.__all__,
    *metrics.__all__,
    *retention.__all__,
    *setup.__all__,
    *training_feed.__all__,
]
