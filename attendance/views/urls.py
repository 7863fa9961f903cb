"""Attendance pages (namespace ``attendance``), mounted at /attendance/."""

from attendance.views import corrections, daily, leave, punches, roster

app_name = "attendance"

urlpatterns = [
    *punches.urlpatterns,
    *roster.urlpatterns,
    *corrections.urlpatterns,
    *daily.urlpatterns,
    *leave.urlpatterns,
]
