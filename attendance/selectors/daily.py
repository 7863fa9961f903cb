"""Attendance selectors: daily."""

__all__: list[str] = []
