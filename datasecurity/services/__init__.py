"""Writes of the data-security app, one module per area: the audit trail (``audit_record``, the one
writer every app calls in its own transaction), private files (uploads checked by content) and the
two-factor login."""

from datasecurity.services import audit, background_export, backup, destruct, files, monitor, retention, twofa
from datasecurity.services.audit import *  # noqa: F403
from datasecurity.services.background_export import *  # noqa: F403
from datasecurity.services.backup import *  # noqa: F403
from datasecurity.services.destruct import *  # noqa: F403
from datasecurity.services.files import *  # noqa: F403
from datasecurity.services.monitor import *  # noqa: F403
from datasecurity.services.retention import *  # noqa: F403
from datasecurity.services.twofa import *  # noqa: F403

__all__ = [
    *audit.__all__,
    *background_export.__all__,
    *backup.__all__,
    *destruct.__all__,
    *files.__all__,
    *monitor.__all__,
    *retention.__all__,
    *twofa.__all__,
]
