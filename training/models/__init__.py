"""Tables of the training app, one module per area; Django finds the models through the star
imports, and callers write ``from training.models import Course``."""

from training.models import audience, compliance, courses, effect, plan, records, sessions, study
from training.models.audience import *  # noqa: F403
from training.models.compliance import *  # noqa: F403
from training.models.courses import *  # noqa: F403
from training.models.effect import *  # noqa: F403
from training.models.plan import *  # noqa: F403
from training.models.records import *  # noqa: F403
from training.models.sessions import *  # noqa: F403
from training.models.study import *  # noqa: F403

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
