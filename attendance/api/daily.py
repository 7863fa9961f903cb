"""Attendance API: daily."""

urlpatterns: list = []
