"""Attendance API: punches."""

urlpatterns: list = []
