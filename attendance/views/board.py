"""Attendance pages: board."""

urlpatterns: list = []
