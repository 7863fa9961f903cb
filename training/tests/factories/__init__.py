"""Factories of the training tests, one module per area."""

from training.tests.factories import records, sessions, study
from training.tests.factories.records import *  # noqa: F403
from training.tests.factories.sessions import *  # noqa: F403
from training.tests.factories.study import *  # noqa: F403

__all__ = [*records.__all__, *sessions.__all__, *study.__all__]
