"""File renderers of the training app (the certificate of completion's PDF), from selector data;
called by the export services, which audit the files. Imported only where a file is rendered
(WeasyPrint)."""

from training.exports import records
from training.exports.records import *  # noqa: F403

__all__ = [*records.__all__]
