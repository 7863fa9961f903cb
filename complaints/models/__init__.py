"""Tables of the complaints app, one module per area; Django finds the models through the star
imports, and callers write ``from complaints.models import Complaint``."""

from complaints.models import complaints, integrations
from complaints.models.complaints import *  # noqa: F403
from complaints.models.integrations import *  # noqa: F403

__all__ = [*complaints.__all__, *integrations.__all__]
