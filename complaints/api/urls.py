"""Complaints API (namespace ``api:complaints``), mounted at /api/v1/complaints/."""

from complaints.api import complaints, statistics

app_name = "complaints"

urlpatterns = [*statistics.urlpatterns, *complaints.urlpatterns]
