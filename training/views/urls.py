"""Training pages (namespace ``training``), mounted at /training/."""

app_name = "training"

urlpatterns = []
