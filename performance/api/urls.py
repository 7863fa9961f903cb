"""Performance API (namespace ``api:performance``), mounted at /api/v1/performance/."""

from performance.api import appraisals, bonus, cycles, metrics, setup

app_name = "performance"

urlpatterns = [
    *appraisals.urlpatterns,
    *cycles.urlpatterns,
    *setup.urlpatterns,
    *metrics.urlpatterns,
    *bonus.urlpatterns,
]
