"""Reads of the training app (its public face, with :mod:`training.services`), one module per
area; every public name is re-exported here, so callers write
``from training.selectors import audience_employees``."""

from training.selectors import audience, compliance, courses, effect, plan, records, sessions, study
from training.selectors.audience import *  # noqa: F403
from training.selectors.compliance import *  # noqa: F403
from training.selectors.courses import *  # noqa: F403
from training.selectors.effect import *  # noqa: F403
from training.selectors.plan import *  # noqa: F403
from training.selectors.records import *  # noqa: F403
from training.selectors.sessions import *  # noqa: F403
from training.selectors.study import *  # noqa: F403

__all__ = [
    *audience.__all__,
    *compliance.__all__,
    *courses.__all__,
    *effect.__all__,
    *plan.__all__,
    *records.__all__,
    *sessions.__all__,
    *study.__all__,
]
