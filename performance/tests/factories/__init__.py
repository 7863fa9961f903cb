"""Test factories and helpers of the performance app, one module per area; every public name is
re-exported here, so tests write ``from performance.tests.factories import appraisal_for``."""

from performance.tests.factories import appraisals, bonus, cycles, metrics, setup
from performance.tests.factories.appraisals import *  # noqa: F403
from performance.tests.factories.bonus import *  # noqa: F403
from performance.tests.factories.cycles import *  # noqa: F403
from performance.tests.factories.metrics import *  # noqa: F403
from performance.tests.factories.setup import *  # noqa: F403

__all__ = [*appraisals.__all__, *bonus.__all__, *cycles.__all__, *metrics.__all__, *setup.__all__]
