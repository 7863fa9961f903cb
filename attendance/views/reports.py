"""Attendance pages: reports."""

urlpatterns: list = []
