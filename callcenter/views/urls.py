"""The core app's pages (namespace ``callcenter``), mounted at the site root."""

from callcenter.views import accounts, dashboard, grants, leavers, notifications, ops, org, policies

app_name = "callcenter"

urlpatterns = [
    *dashboard.urlpatterns,
    *accounts.urlpatterns,
    *org.urlpatterns,
    *leavers.urlpatterns,
    *policies.urlpatterns,
    *grants.urlpatterns,
    *notifications.urlpatterns,
    *ops.urlpatterns,
]
