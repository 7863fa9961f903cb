"""Django forms of the performance pages, one module per area (input parsing only, no writes);
every public name is re-exported here."""

from performance.forms import appraisals, bonus, cycles, metrics, setup
from performance.forms.appraisals import *  # noqa: F403
from performance.forms.bonus import *  # noqa: F403
from performance.forms.cycles import *  # noqa: F403
from performance.forms.metrics import *  # noqa: F403
from performance.forms.setup import *  # noqa: F403

__all__ = [*appraisals.__all__, *bonus.__all__, *cycles.__all__, *metrics.__all__, *setup.__all__]
