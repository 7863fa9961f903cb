"""Reads of the training app (its public face, with :mod:`training.services`), one module per
area; every public name is re-exported here, so callers write
``from training.selectors import audience_employees``."""

from training.selectors import audience, study
from training.selectors.audience import *  # noqa: F403
from training.selectors.study import *  # noqa: F403

__all__ = [*audience.__all__, *study.__all__]
