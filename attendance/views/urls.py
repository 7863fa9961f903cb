"""Attendance pages (namespace ``attendance``), mounted at /attendance/."""

from attendance.views import board, clock, corrections, leave, reports, roster

app_name = "attendance"

urlpatterns = [
    *clock.urlpatterns,
    *board.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *reports.urlpatterns,
    *leave.urlpatterns,
]
