"""Performance pages (namespace ``performance``), mounted at /performance/."""

from performance.views import appraisals, bonus, cycles, metrics, setup

app_name = "performance"

urlpatterns = [
    *appraisals.urlpatterns,
    *cycles.urlpatterns,
    *setup.urlpatterns,
    *metrics.urlpatterns,
    *bonus.urlpatterns,
]
