"""The core app's API (namespace ``api:callcenter``), mounted at ``/api/v1/``."""

from callcenter.api import accounts, changes, hiring, leavers, notifications, org, search

app_name = "callcenter"

urlpatterns = [
    *accounts.urlpatterns,
    *org.urlpatterns,
    *changes.urlpatterns,
    *hiring.urlpatterns,
    *leavers.urlpatterns,
    *notifications.urlpatterns,
    *search.urlpatterns,
]
