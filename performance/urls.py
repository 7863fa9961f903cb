"""Performance pages, mounted at /performance/."""

from .views import appraisals, bonus, cycles, metrics, setup

urlpatterns = [
    *appraisals.urlpatterns,
    *cycles.urlpatterns,
    *setup.urlpatterns,
    *metrics.urlpatterns,
    *bonus.urlpatterns,
]
