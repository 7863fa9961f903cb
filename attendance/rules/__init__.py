"""The regulation's rules as pure functions (ATT-1..ATT-5, LV-1..LV-5), one module per area: no
database, no request; policy values come in as arguments. Every public name is re-exported here,
so callers write ``from attendance.rules import evaluate_day``."""

from attendance.rules import daily, leave
from attendance.rules.daily import *  # noqa: F403
from attendance.rules.leave import *  # noqa: F403

__all__ = [*daily.__all__, *leave.__all__]
