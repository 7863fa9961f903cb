"""Call volumes (calls answered) for modules that need a rate per call.

The telephony/ACD figures are imported by ``performance`` (PRF-1 metrics), but the complaint
statistics (CMP-4, complaints per 1,000 calls) must not import ``performance``: dependencies
point from ``performance`` to the other apps, never back. So the importer registers a provider
here, in the core app both depend on, and readers ask this module. Without a provider (or
without imported figures) the answer is "unknown", never zero.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallVolumeProvider:
    # (date_from, date_to) -> {first day of month: calls answered}
    by_month: Callable[..., dict[datetime.date, int]]
    # (date_from, date_to) -> {(first day of month, team id): calls answered}
    by_team: Callable[..., dict[tuple[datetime.date, int], int]]


_provider: CallVolumeProvider | None = None


def call_volume_provider_register(provider: CallVolumeProvider | None) -> None:
    """Called from the importing app's ``AppConfig.ready()`` (``None`` unregisters, for tests)."""
    global _provider
    _provider = provider


def call_volumes_by_month(*, date_from: datetime.date, date_to: datetime.date) -> dict[datetime.date, int]:
    """Calls answered per month in the range (months without figures are absent)."""
    if _provider is None:
        return {}
    return _provider.by_month(date_from=date_from, date_to=date_to)


def call_volumes_by_team(*, date_from: datetime.date, date_to: datetime.date) -> dict[tuple[datetime.date, int], int]:
    """Calls answered per (month, team) — the agent's current team; agents without a team are
    left out."""
    if _provider is None:
        return {}
    return {
        key: calls
        for key, calls in _provider.by_team(date_from=date_from, date_to=date_to).items()
        if key[1] is not None
    }
