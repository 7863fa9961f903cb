"""The data-security API (namespace ``api:datasecurity``), mounted at ``/api/v1/``."""

from datasecurity.api import audit, destruct

app_name = "datasecurity"

urlpatterns = [*audit.urlpatterns, *destruct.urlpatterns]
