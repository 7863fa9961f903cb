"""Attendance API, mounted at /api/v1/attendance/."""

from . import corrections, daily, leave, punches, roster

urlpatterns = [
    *punches.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *daily.urlpatterns,
    *leave.urlpatterns,
]
