"""Performance pages: appraisals (filled by its work package)."""

urlpatterns = []
