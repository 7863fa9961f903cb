"""Performance pages: metrics (filled by its work package)."""

urlpatterns = []
