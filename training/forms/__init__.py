"""Forms of the training pages, one module per area (shape only; the services check the rules)."""

from training.forms import compliance, courses, effect, plan, records, sessions, study
from training.forms.compliance import *  # noqa: F403
from training.forms.courses import *  # noqa: F403
from training.forms.effect import *  # noqa: F403
from training.forms.plan import *  # noqa: F403
from training.forms.records import *  # noqa: F403
from training.forms.sessions import *  # noqa: F403
from training.forms.study import *  # noqa: F403

__all__ = [
    *compliance.__all__,
    *courses.__all__,
    *effect.__all__,
    *plan.__all__,
    *records.__all__,
    *sessions.__all__,
    *study.__all__,
]
