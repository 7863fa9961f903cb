"""Forms of the training pages, one module per area; no writes."""

from training.forms import courses, sessions
from training.forms.courses import *  # noqa: F403
from training.forms.sessions import *  # noqa: F403

__all__ = [*courses.__all__, *sessions.__all__]
