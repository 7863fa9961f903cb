"""Complaints API, mounted at /api/v1/complaints/."""

from . import api, api_stats

urlpatterns = [*api_stats.urlpatterns, *api.urlpatterns]
