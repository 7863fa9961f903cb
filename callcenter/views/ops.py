"""Operations: the admins' health page, the load balancer's health check and the error pages."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import path
from rest_framework.exceptions import NotFound

from callcenter import selectors
from callcenter.permissions import public, role_required
from callcenter.request_context import current_request_id


@role_required(allow_staff=True)
def health(request):
    checks = selectors.health_checks()
    return render(
        request,
        "callcenter/ops/health.html",
        {"checks": checks, "jobs": selectors.periodic_job_status()},
    )


@public
def healthz(request):
    """Liveness probe for load balancers and docker-compose."""
    ok = selectors.health_database()["ok"]
    return JsonResponse({"status": "ok" if ok else "error"}, status=200 if ok else 503)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    # A path under /api/ that names no endpoint answers like the API's own 404s, in JSON.
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail), "code": NotFound.default_code}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors, no database: the page must render whatever broke. The request id is
    # the one in the log lines and the error report: the user can quote it.
    request_id = getattr(request, "request_id", None) or current_request_id()
    return HttpResponseServerError(loader.get_template("500.html").render({"request_id": request_id}))


urlpatterns = [
    path("ops/health/", health, name="health"),
    path("healthz", healthz, name="healthz"),
]
