"""Performance API: bonus (filled by its work package)."""

urlpatterns = []
