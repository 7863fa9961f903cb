"""Performance API: cycles (filled by its work package)."""

urlpatterns = []
