"""Performance API, mounted at /api/v1/performance/."""

from .api import appraisals, bonus, cycles, metrics, setup

urlpatterns = [
    *appraisals.urlpatterns,
    *cycles.urlpatterns,
    *setup.urlpatterns,
    *metrics.urlpatterns,
    *bonus.urlpatterns,
]
