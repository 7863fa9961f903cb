"""Forms of the training pages, one module per area (shape only; the services check the rules)."""

from training.forms import effect, plan
from training.forms.effect import *  # noqa: F403
from training.forms.plan import *  # noqa: F403

__all__ = [*effect.__all__, *plan.__all__]
