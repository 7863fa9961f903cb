"""Attendance services: daily."""

__all__: list[str] = []
