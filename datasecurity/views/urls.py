"""The data-security pages (namespace ``datasecurity``), mounted at the site root."""

from datasecurity.views import audit, backup, destruct, monitor, retention, twofa

app_name = "datasecurity"

urlpatterns = [
    *audit.urlpatterns,
    *backup.urlpatterns,
    *destruct.urlpatterns,
    *monitor.urlpatterns,
    *retention.urlpatterns,
    *twofa.urlpatterns,
]
