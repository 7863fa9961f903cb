"""Factories of the training tests, one module per area."""

from training.tests.factories import study
from training.tests.factories.study import *  # noqa: F403

__all__ = [*study.__all__]
