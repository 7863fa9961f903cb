"""The data-security pages (namespace ``datasecurity``), mounted at the site root."""

from datasecurity.views import audit, twofa

app_name = "datasecurity"

urlpatterns = [*audit.urlpatterns, *twofa.urlpatterns]
