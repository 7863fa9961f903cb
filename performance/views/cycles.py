"""Performance pages: cycles (filled by its work package)."""

urlpatterns = []
