"""URLconf: pages for people, /api/v1/ for machines, /api/schema/ + /api/docs/ for the API."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import IsAuthenticated

from callcenter import api as core_api
from callcenter import views as core_views
from datasecurity import api as datasecurity_api
from datasecurity import views as datasecurity_views

handler403 = "callcenter.views.error_403"
handler404 = "callcenter.views.error_404"
handler500 = "callcenter.views.error_500"

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("accounts/login/", core_views.login_view, name="login"),
    path("accounts/logout/", core_views.logout_view, name="logout"),
    path("accounts/password/", core_views.password_change, name="password_change"),
    path("i18n/language/", core_views.language_set, name="language_set"),
    path("employees/", core_views.employee_list, name="employee_list"),
    path("employees/<int:pk>/", core_views.employee_detail, name="employee_detail"),
    path("policies/", core_views.policy_list, name="policy_list"),
    path("policies/<str:label>/", core_views.policy_detail, name="policy_detail"),
    path("notifications/", core_views.notification_list, name="notification_list"),
    path("notifications/read/", core_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", core_views.notification_read, name="notification_read"),
    path("ops/health/", core_views.health, name="health"),
    path("healthz", core_views.healthz, name="healthz"),
    path("audit/", datasecurity_views.audit_event_list, name="audit_event_list"),
    path("attendance/", include("attendance.urls")),
    path("complaints/", include("complaints.urls")),
    path("performance/", include("performance.urls")),
    # API
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema", permission_classes=[IsAuthenticated]),
        name="api_docs",
    ),
    path("api/v1/me/", core_api.MeApi.as_view(), name="api_me"),
    path("api/v1/employees/", core_api.EmployeeListApi.as_view(), name="api_employee_list"),
    path("api/v1/employees/<int:pk>/", core_api.EmployeeDetailApi.as_view(), name="api_employee_detail"),
    path("api/v1/notifications/", core_api.NotificationListApi.as_view(), name="api_notification_list"),
    path("api/v1/notifications/read/", core_api.NotificationReadApi.as_view(), name="api_notification_read"),
    path("api/v1/audit/events/", datasecurity_api.AuditEventListApi.as_view(), name="api_audit_event_list"),
    path("api/v1/attendance/", include("attendance.api.urls")),
    path("api/v1/complaints/", include("complaints.api_urls")),
    path("api/v1/performance/", include("performance.api_urls")),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
