"""Request middleware: the user's language, forced password change (SEC-2), audit context."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .request_context import client_ip_context


class UserLanguageMiddleware:
    """A logged-in user's language is theirs, on every device (kept per user, not per browser)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """First login and password older than ``password_max_age_days`` force a change (SEC-2)."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon")
    EXEMPT_NAMES = ("password_change", "logout", "language_set", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            from .selectors import password_change_required

            reason = password_change_required(user=user, session=request.session)
            if reason:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": str(reason), "code": "password_change_required"}, status=403)
                return redirect(reverse("password_change"))
        return self.get_response(request)

    def _exempt(self, path):
        if path.startswith(self.EXEMPT_PREFIXES):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_NAMES)


class AuditContextMiddleware:
    """Makes the client IP available to the audit helper for this request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_forwarded = getattr(settings, "TRUST_X_FORWARDED_FOR", False)

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")
        if self.trust_forwarded and request.META.get("HTTP_X_FORWARDED_FOR"):
            ip = request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
        with client_ip_context(ip):
            return self.get_response(request)
