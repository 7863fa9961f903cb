"""Pure functions of TRN-1..TRN-3 (deadlines, pass/fail, attempts, time limits, indicator values):
no database, no request; policy values come in as arguments. One module per area."""

from training.rules import study
from training.rules.study import *  # noqa: F403

__all__: list[str] = [*study.__all__]
