"""Performance API: appraisals (filled by its work package)."""

urlpatterns = []
