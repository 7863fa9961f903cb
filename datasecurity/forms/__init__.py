"""Forms of the data-security pages, one module per area (two-factor login)."""

from datasecurity.forms import twofa
from datasecurity.forms.twofa import *  # noqa: F403

__all__ = [*twofa.__all__]
