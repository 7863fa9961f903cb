"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import compliance, records

app_name = "training"

urlpatterns = [
    # Records, certificates and compliance (TRN-3)
    *records.urlpatterns,
    *compliance.urlpatterns,
]
