"""The core app's pages (namespace ``callcenter``), mounted at the site root."""

from callcenter.views import accounts, dashboard, notifications, ops, org, policies

app_name = "callcenter"

urlpatterns = [
    *dashboard.urlpatterns,
    *accounts.urlpatterns,
    *org.urlpatterns,
    *policies.urlpatterns,
    *notifications.urlpatterns,
    *ops.urlpatterns,
]
