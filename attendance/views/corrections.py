"""Attendance pages: corrections."""

urlpatterns: list = []
