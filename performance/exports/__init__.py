"""File renderers of the performance app (the bonus sheet's PDF and export table), from selector
data; called by the export services, which store and audit the files."""

from performance.exports import bonus
from performance.exports.bonus import *  # noqa: F403

__all__ = [*bonus.__all__]
