"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

from training.api import courses, sessions

app_name = "training"

urlpatterns = [*courses.urlpatterns, *sessions.urlpatterns]
