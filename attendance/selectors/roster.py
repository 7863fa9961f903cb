"""Attendance selectors: roster."""

__all__: list[str] = []
