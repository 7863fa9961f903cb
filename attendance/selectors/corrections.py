"""Attendance selectors: corrections."""

__all__: list[str] = []
