"""Training pages (namespace ``training``), mounted at /training/."""

from training.views import compliance, courses, effect, plan, records, sessions, study

app_name = "training"

urlpatterns = [
    *compliance.urlpatterns,
    *courses.urlpatterns,
    *effect.urlpatterns,
    *plan.urlpatterns,
    *records.urlpatterns,
    *sessions.urlpatterns,
    *study.urlpatterns,
]
