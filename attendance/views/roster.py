"""Attendance pages: roster."""

urlpatterns: list = []
