"""The project's URLconf: each app's pages and API under its own namespace.

Pages: ``callcenter:…`` at the root, ``datasecurity:…`` (``/audit/``), ``attendance:…``,
``complaints:…``, ``performance:…``. The API for machines lives under ``/api/v1/`` with the
namespace ``api`` (``api:attendance:punch_me``, ``api:schema``); the OpenAPI schema is at
``/api/schema/`` and its browser at ``/api/docs/``. Apps are included by dotted path, so this
module imports none of them.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

handler403 = "callcenter.views.ops.error_403"
handler404 = "callcenter.views.ops.error_404"
handler500 = "callcenter.views.ops.error_500"

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path(
        "docs/",
        # Split: the page loads its script from ?script, and its styles from static files (CSP).
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            permission_classes=[IsAuthenticated],
            template_name="callcenter/ops/api_docs.html",
        ),
        name="docs",
    ),
    path("v1/", include("callcenter.api.urls")),
    path("v1/", include("datasecurity.api.urls")),
    path("v1/attendance/", include("attendance.api.urls")),
    path("v1/complaints/", include("complaints.api.urls")),
    path("v1/training/", include("training.api.urls")),
    path("v1/performance/", include("performance.api.urls")),
]

urlpatterns = [
    path("", include("callcenter.views.urls")),
    path("", include("datasecurity.views.urls")),
    path("attendance/", include("attendance.views.urls")),
    path("complaints/", include("complaints.views.urls")),
    path("training/", include("training.views.urls")),
    path("performance/", include("performance.views.urls")),
    path("api/", include((api_patterns, "api"))),
    path(f"{settings.ADMIN_URL}", admin.site.urls),
]
