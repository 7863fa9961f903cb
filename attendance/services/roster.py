"""Attendance services: roster."""

__all__: list[str] = []
