"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

app_name = "training"

urlpatterns = []
