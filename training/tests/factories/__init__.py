"""Factories of the training tests, one module per area."""

from training.tests.factories import sessions
from training.tests.factories.sessions import *  # noqa: F403

__all__ = [*sessions.__all__]
