"""Forms of the training pages, one module per area; no writes."""

from training.forms import study
from training.forms.study import *  # noqa: F403

__all__: list[str] = [*study.__all__]
