"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import study

app_name = "training"

urlpatterns = [
    *study.urlpatterns,  # self-study (TRN-2, SEC-3)
]
