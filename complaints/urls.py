"""Complaint pages, mounted at /complaints/."""

from . import views, views_stats

urlpatterns = [*views_stats.urlpatterns, *views.urlpatterns]
