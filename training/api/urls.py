"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

from training.api import effect, plan

app_name = "training"

urlpatterns = [*plan.urlpatterns, *effect.urlpatterns]
