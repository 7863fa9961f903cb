"""The data-security pages (namespace ``datasecurity``), mounted at the site root."""

from datasecurity.views import audit, backup, monitor, retention

app_name = "datasecurity"

urlpatterns = [*audit.urlpatterns, *backup.urlpatterns, *monitor.urlpatterns, *retention.urlpatterns]
