"""The data-security API (namespace ``api:datasecurity``), mounted at ``/api/v1/``."""

from datasecurity.api import audit, twofa

app_name = "datasecurity"

urlpatterns = [*audit.urlpatterns, *twofa.urlpatterns]
