"""Request middleware: the request id, the user's language, forced password change (SEC-2), audit
context, and the services' refusals a page left unhandled."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.request_context import client_ip_context, request_client_ip, request_id_context
from callcenter.selectors import password_change_required

request_logger = logging.getLogger("callcenter.requests")


class RequestIdMiddleware:
    """Every request gets an id: in every log line written while it is handled (the logging filter
    :class:`callcenter.request_context.RequestIdLogFilter`), in the ``X-Request-ID`` header of the
    response, on the 500 page (so a user can quote it) and in the error report sent to Sentry.

    The id comes from the reverse proxy's ``X-Request-ID`` header when ``REQUEST_ID_TRUST_HEADER``
    is on (the proxy sets it, so its log and ours share the id) and the value is a plain token;
    otherwise it is made here. Outermost middleware: the line it logs per request (method, path
    without the query string, status, duration) is the access log (gunicorn keeps none)."""

    HEADER = "X-Request-ID"
    _TOKEN = re.compile(r"[A-Za-z0-9._:-]{8,128}")

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_header = getattr(settings, "REQUEST_ID_TRUST_HEADER", False)

    def __call__(self, request):
        incoming = request.headers.get(self.HEADER, "")
        request_id = incoming if self.trust_header and self._TOKEN.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.monotonic()
        with request_id_context(request_id):
            response = self.get_response(request)
            response[self.HEADER] = request_id
            duration_ms = round((time.monotonic() - started) * 1000)
            request_logger.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response


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
    """First login and password older than ``password_max_age_days`` force a change (SEC-2).

    Pages only: the API enforces it for every user it authenticates, by session or token
    (:mod:`callcenter.api.authentication`), answering 403 ``password_change_required``."""

    # /accounts/twofa/: the login's second step comes first (datasecurity.middleware, SEC-2).
    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon", "/api/", "/accounts/twofa/verify/", "/accounts/twofa/setup/")
    EXEMPT_NAMES = ("callcenter:password_change", "callcenter:logout", "callcenter:language_set", "callcenter:healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._exempt(request.path)
            and password_change_required(user=user, session=request.session)
        ):
            return redirect(reverse("callcenter:password_change"))
        return self.get_response(request)

    def _exempt(self, path):
        if path.startswith(self.EXEMPT_PREFIXES):
            return True
        return any(path == reverse(name) for name in self.EXEMPT_NAMES)


class AuditContextMiddleware:
    """Makes the client IP available to the audit helper for this request: the address the
    outermost of ``TRUSTED_PROXY_COUNT`` reverse proxies saw (:func:`request_client_ip`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with client_ip_context(request_client_ip(request)):
            return self.get_response(request)


class ApplicationErrorMiddleware:
    """A service's refusal that a page did not handle is still answered as the user's error, never
    a 500: not found → the 404 page, not allowed → the 403 page, anything else → 400 with the
    message. (The API answers its own: :func:`callcenter.rest.exception_handler`.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFoundError):
            return response_for_exception(request, Http404(str(exception.message)))
        if isinstance(exception, PermissionDeniedError):
            return response_for_exception(request, PermissionDenied(str(exception.message)))
        if isinstance(exception, ApplicationError):
            return render(request, "400.html", {"message": exception.message}, status=400)
        return None
