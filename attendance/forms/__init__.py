"""Forms of the attendance pages, one module per area: they check the shape of the input (a date
is a date); the services check the rules and explain every refusal. Every public name is
re-exported here, so views write ``from attendance.forms import LeaveRequestForm``."""

from attendance.forms import corrections, leave, punches, roster
from attendance.forms.corrections import *  # noqa: F403
from attendance.forms.leave import *  # noqa: F403
from attendance.forms.punches import *  # noqa: F403
from attendance.forms.roster import *  # noqa: F403

__all__ = [*corrections.__all__, *leave.__all__, *punches.__all__, *roster.__all__]
