"""Attendance pages, mounted at /attendance/."""

from .views import board, clock, corrections, leave, reports, roster

urlpatterns = [
    *clock.urlpatterns,
    *board.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *reports.urlpatterns,
    *leave.urlpatterns,
]
