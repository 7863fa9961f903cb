"""Test factories of the complaints app, one module per area; every public name is re-exported
here, so tests write ``from complaints.tests.factories import complaint_recorded``."""

from complaints.tests.factories import complaints, statistics
from complaints.tests.factories.complaints import *  # noqa: F403
from complaints.tests.factories.statistics import *  # noqa: F403

__all__ = [*complaints.__all__, *statistics.__all__]
