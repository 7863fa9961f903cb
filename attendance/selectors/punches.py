"""Attendance selectors: punches."""

__all__: list[str] = []
