"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import effect, plan

app_name = "training"

urlpatterns = [*plan.urlpatterns, *effect.urlpatterns]
