"""Forms of the training pages, one module per area; no writes."""

from training.forms import compliance, records
from training.forms.compliance import *  # noqa: F403
from training.forms.records import *  # noqa: F403

__all__ = [*compliance.__all__, *records.__all__]
