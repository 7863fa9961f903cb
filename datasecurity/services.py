"""Writes of the data-security app. ``audit_record`` is re-exported: the one audit helper."""

from .audit import audit_record, model_changes, snapshot

__all__ = ["audit_record", "model_changes", "snapshot"]
