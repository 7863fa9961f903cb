"""The core app's pages (namespace ``callcenter``), mounted at the site root."""

from callcenter.views import (
    accounts,
    changes,
    dashboard,
    grants,
    hiring,
    leavers,
    notifications,
    ops,
    org,
    policies,
    search,
)

app_name = "callcenter"

urlpatterns = [
    *dashboard.urlpatterns,
    *accounts.urlpatterns,
    *org.urlpatterns,
    *changes.urlpatterns,
    *hiring.urlpatterns,
    *leavers.urlpatterns,
    *policies.urlpatterns,
    *grants.urlpatterns,
    *notifications.urlpatterns,
    *ops.urlpatterns,
    *search.urlpatterns,
]
