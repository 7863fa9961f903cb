"""Writes of the training app (its public face, with :mod:`training.selectors`), one module per
area; every public name is re-exported here, so callers write
``from training.services import training_record_write``."""

from training.services import compliance, courses, effect, plan, records, sessions, study
from training.services.compliance import *  # noqa: F403
from training.services.courses import *  # noqa: F403
from training.services.effect import *  # noqa: F403
from training.services.plan import *  # noqa: F403
from training.services.records import *  # noqa: F403
from training.services.sessions import *  # noqa: F403
from training.services.study import *  # noqa: F403

__all__ = [
    *compliance.__all__,
    *courses.__all__,
    *effect.__all__,
    *plan.__all__,
    *records.__all__,
    *sessions.__all__,
    *study.__all__,
]
