"""Attendance pages, mounted at /attendance/."""

from .views import board, clock, corrections, reports, roster

urlpatterns = [
    *clock.urlpatterns,
    *board.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *reports.urlpatterns,
]
