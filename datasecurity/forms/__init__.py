"""Forms of the data-security pages, one module per area (destruction, two-factor login); shape
only, the services check the rules."""

from datasecurity.forms import destruct, twofa
from datasecurity.forms.destruct import *  # noqa: F403
from datasecurity.forms.twofa import *  # noqa: F403

__all__ = [*destruct.__all__, *twofa.__all__]
