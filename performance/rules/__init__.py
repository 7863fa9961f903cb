"""The rules of PRF-1..PRF-4 and the input checks, one module per area: pure functions, no database,
no request (policy values come in as arguments). Every public name is re-exported here, so callers
write ``from performance.rules import combined_score``."""

from performance.rules import appraisals, bonus, cycles, metrics, setup
from performance.rules.appraisals import *  # noqa: F403
from performance.rules.bonus import *  # noqa: F403
from performance.rules.cycles import *  # noqa: F403
from performance.rules.metrics import *  # noqa: F403
from performance.rules.setup import *  # noqa: F403

__all__ = [*appraisals.__all__, *bonus.__all__, *cycles.__all__, *metrics.__all__, *setup.__all__]
