"""Attendance API: corrections."""

urlpatterns: list = []
