"""Attendance API (namespace ``api:attendance``), mounted at /api/v1/attendance/."""

from attendance.api import corrections, daily, leave, punches, roster

app_name = "attendance"

urlpatterns = [
    *punches.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *daily.urlpatterns,
    *leave.urlpatterns,
]
