"""Pure rules of the complaints app (CMP-1..CMP-4, SEC-2), one module per area; every public name
is re-exported here, so callers write ``from complaints.rules import mask_phone``."""

from complaints.rules import complaints, integrations, statistics
from complaints.rules.complaints import *  # noqa: F403
from complaints.rules.integrations import *  # noqa: F403
from complaints.rules.statistics import *  # noqa: F403

__all__ = [*complaints.__all__, *integrations.__all__, *statistics.__all__]
