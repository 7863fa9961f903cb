"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

from training.api import study

app_name = "training"

urlpatterns = [
    *study.urlpatterns,  # self-study (TRN-2, SEC-3)
]
