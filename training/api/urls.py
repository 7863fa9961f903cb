"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

from training.api import records

app_name = "training"

urlpatterns = [
    # Records, certificates and compliance (TRN-3)
    *records.urlpatterns,
]
