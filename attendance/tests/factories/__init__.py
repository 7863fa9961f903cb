"""Test factories and helpers of the attendance app, one module per area; every public name is
re-exported here, so tests write ``from attendance.tests.factories import PunchFactory``."""

from attendance.tests.factories import corrections, daily, leave, punches, roster
from attendance.tests.factories.corrections import *  # noqa: F403
from attendance.tests.factories.daily import *  # noqa: F403
from attendance.tests.factories.leave import *  # noqa: F403
from attendance.tests.factories.punches import *  # noqa: F403
from attendance.tests.factories.roster import *  # noqa: F403

__all__ = [*corrections.__all__, *daily.__all__, *leave.__all__, *punches.__all__, *roster.__all__]
