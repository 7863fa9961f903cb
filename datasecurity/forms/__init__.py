"""Forms of the data-security pages, one module per area; shape only, the services check the rules."""

from datasecurity.forms import destruct
from datasecurity.forms.destruct import *  # noqa: F403

__all__ = [*destruct.__all__]
