"""Complaint pages (namespace ``complaints``), mounted at /complaints/."""

from complaints.views import complaints, statistics

app_name = "complaints"

urlpatterns = [*statistics.urlpatterns, *complaints.urlpatterns]
