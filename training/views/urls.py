"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import courses, sessions

app_name = "training"

urlpatterns = [*courses.urlpatterns, *sessions.urlpatterns]
