"""Attendance services: corrections."""

__all__: list[str] = []
