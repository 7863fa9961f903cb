"""Performance API: metrics (filled by its work package)."""

urlpatterns = []
