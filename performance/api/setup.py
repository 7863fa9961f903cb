"""Performance API: setup (filled by its work package)."""

urlpatterns = []
