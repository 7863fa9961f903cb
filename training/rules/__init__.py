"""Pure functions of TRN-1..TRN-3 (deadlines, pass/fail, attempts, time limits, indicator values):
no database, no request; policy values come in as arguments. One module per area."""

from training.rules import compliance, effect, plan, sessions, study
from training.rules.compliance import *  # noqa: F403
from training.rules.effect import *  # noqa: F403
from training.rules.plan import *  # noqa: F403
from training.rules.sessions import *  # noqa: F403
from training.rules.study import *  # noqa: F403

__all__ = [*compliance.__all__, *effect.__all__, *plan.__all__, *sessions.__all__, *study.__all__]
