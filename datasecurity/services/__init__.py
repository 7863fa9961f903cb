"""Writes of the data-security app, one module per area: the audit trail (``audit_record``, the one
writer every app calls in its own transaction), private files (uploads checked by content) and the
two-factor login."""

from datasecurity.services import audit, background_export, files, twofa
from datasecurity.services.audit import *  # noqa: F403
from datasecurity.services.background_export import *  # noqa: F403
from datasecurity.services.files import *  # noqa: F403
from datasecurity.services.twofa import *  # noqa: F403

__all__ = [*audit.__all__, *background_export.__all__, *files.__all__, *twofa.__all__]
