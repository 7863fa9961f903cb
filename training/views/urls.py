"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import courses, effect, plan, sessions

app_name = "training"

urlpatterns = [*courses.urlpatterns, *effect.urlpatterns, *plan.urlpatterns, *sessions.urlpatterns]
