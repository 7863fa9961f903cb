"""The data-security app's pure rules, one module per area (audit, files)."""

from datasecurity.rules import audit, files
from datasecurity.rules.audit import *  # noqa: F403
from datasecurity.rules.files import *  # noqa: F403

__all__ = [*audit.__all__, *files.__all__]

from datasecurity.rules import destruct
from datasecurity.rules.destruct import *  # noqa: F403

__all__ += destruct.__all__
