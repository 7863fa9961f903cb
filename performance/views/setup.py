"""Performance pages: setup (filled by its work package)."""

urlpatterns = []
