"""Writes of the training app (its public face, with :mod:`training.selectors`), one module per
area; every public name is re-exported here, so callers write
``from training.services import training_record_write``."""

from training.services import records, study
from training.services.records import *  # noqa: F403
from training.services.study import *  # noqa: F403

__all__ = [*records.__all__, *study.__all__]
