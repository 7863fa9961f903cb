"""Training API (namespace ``api:training``), mounted at /api/v1/training/."""

from training.api import courses, effect, plan, records, sessions, study

app_name = "training"

urlpatterns = [
    *courses.urlpatterns,
    *effect.urlpatterns,
    *plan.urlpatterns,
    *records.urlpatterns,
    *sessions.urlpatterns,
    *study.urlpatterns,
]
