"""Performance pages: bonus (filled by its work package)."""

urlpatterns = []
