"""The data-security app's pure rules, one module per area (audit, files, two-factor login)."""

from datasecurity.rules import audit, files, twofa
from datasecurity.rules.audit import *  # noqa: F403
from datasecurity.rules.files import *  # noqa: F403
from datasecurity.rules.twofa import *  # noqa: F403

__all__ = [*audit.__all__, *files.__all__, *twofa.__all__]
