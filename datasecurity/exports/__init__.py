"""File renderers of the data-security app (the certificate of destruction's PDF), from selector
data; called by the export services, which audit the files. Imported where a file is rendered
(WeasyPrint is heavy: web processes that render nothing never load it)."""

from datasecurity.exports import destruct
from datasecurity.exports.destruct import *  # noqa: F403

__all__ = [*destruct.__all__]
