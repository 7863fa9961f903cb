"""Reads of the complaints app, one module per area; every public name is re-exported here, so
callers write ``from complaints.selectors import complaint_list``. Who sees which complaint is
decided in :mod:`complaints.selectors.complaints`, always."""

from complaints.selectors import complaints, handover, integrations, retention, search, statistics
from complaints.selectors.complaints import *  # noqa: F403
from complaints.selectors.handover import *  # noqa: F403
from complaints.selectors.integrations import *  # noqa: F403
from complaints.selectors.retention import *  # noqa: F403
from complaints.selectors.search import *  # noqa: F403
from complaints.selectors.statistics import *  # noqa: F403

__all__ = [
    *complaints.__all__,
    *handover.__all__,
    *integrations.__all__,
    *search.__all__,
    *retention.__all__,
    *statistics.__all__,
]
