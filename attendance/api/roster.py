"""Attendance API: roster."""

urlpatterns: list = []
