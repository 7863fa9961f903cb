"""Attendance services: punches."""

__all__: list[str] = []
