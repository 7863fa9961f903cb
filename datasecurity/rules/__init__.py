"""The data-security app's pure rules, one module per area (audit, files, destruction, two-factor login)."""

from datasecurity.rules import audit, destruct, files, twofa
from datasecurity.rules.audit import *  # noqa: F403
from datasecurity.rules.destruct import *  # noqa: F403
from datasecurity.rules.files import *  # noqa: F403
from datasecurity.rules.twofa import *  # noqa: F403

__all__ = [*audit.__all__, *destruct.__all__, *files.__all__, *twofa.__all__]
