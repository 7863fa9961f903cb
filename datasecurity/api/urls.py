"""The data-security API (namespace ``api:datasecurity``), mounted at ``/api/v1/``."""

from datasecurity.api import audit, backup, destruct, monitor, retention, twofa

app_name = "datasecurity"

urlpatterns = [
    *audit.urlpatterns,
    *backup.urlpatterns,
    *destruct.urlpatterns,
    *monitor.urlpatterns,
    *retention.urlpatterns,
    *twofa.urlpatterns,
]
