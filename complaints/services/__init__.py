"""Writes of the complaints app, one module per area; every public name is re-exported here, so
callers write ``from complaints.services import complaint_assign``."""

from complaints.services import complaints, handover, integrations, retention, statistics
from complaints.services.complaints import *  # noqa: F403
from complaints.services.handover import *  # noqa: F403
from complaints.services.integrations import *  # noqa: F403
from complaints.services.retention import *  # noqa: F403
from complaints.services.statistics import *  # noqa: F403

__all__ = [*complaints.__all__, *handover.__all__, *integrations.__all__, *retention.__all__, *statistics.__all__]
