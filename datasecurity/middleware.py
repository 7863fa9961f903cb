"""The security gates every request passes, placed in settings.MIDDLEWARE after authentication.

``TwoFactorMiddleware``: the login's second step, enforced on every request of a session (SEC-2,
SEC-3).

Placed after authentication (and before the forced password change: who you are is proved before
the password is changed). A signed-in session that has not passed the second step reaches only its
way out and in: the code page, the set-up page (when the user's roles require 2FA and they have no
device), log out, the language switch, static files and the health probe. Any other page redirects
there; the API, called with that session, answers 403 ``{"detail", "code"}``. API tokens
authenticate in DRF, without a session, and are not affected (they are listed and revocable
instead: ``datasecurity:twofa_token_list``).

The decision is cached in the session (``twofa`` = ``verified:<user id>`` or ``exempt:<user id>``):
a session that passed costs no query here. A user whose roles come to require 2FA mid-session is
taken to the set-up at their next login.

``PermissionDenialAuditMiddleware``: permission denials reach the audit trail (SEC-3): a page or
an API call refused (403) to a signed-in user is recorded by
``security_permission_denial_record``, bounded per user and hour.

The cheap path: a response that is not a 403 costs one integer comparison. A CSRF refusal is not
a permission denial (the request never reached its view): Django's is answered before
``process_view`` below runs, DRF's says so in its detail. Installed after the authentication
and password-change middleware (callcenter/settings.py); DRF authenticates API tokens in the
view and sets the user on the request, so token calls are seen too.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from datasecurity import selectors, services
from datasecurity.errors import DataSecurityErrorCode

__all__ = ["PermissionDenialAuditMiddleware", "TwoFactorMiddleware"]

logger = logging.getLogger(__name__)


class TwoFactorMiddleware:
    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/favicon")
    EXEMPT_NAMES = (
        "callcenter:logout",
        "callcenter:language_set",
        "callcenter:healthz",
        "datasecurity:twofa_verify",
        "datasecurity:twofa_setup",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        if selectors.twofa_session_state(session, user) in {"verified", "exempt"}:
            return self.get_response(request)
        gate = selectors.twofa_gate(user=user, trust_cookie=request.COOKIES.get(settings.TWOFA_TRUST_COOKIE_NAME, ""))
        if gate.passes:
            session[selectors.TWOFA_SESSION_KEY] = f"{gate.state}:{user.pk}"
            if gate.state == "verified":
                services.twofa_trusted_device_record(actor=user, device_id=gate.device_id)
            return self.get_response(request)
        if self._exempt(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return self._api_refusal(gate)
        target = "datasecurity:twofa_verify" if gate.state == "verify" else "datasecurity:twofa_setup"
        url = reverse(target)
        if request.method == "GET" and request.path != "/":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)

    def _exempt(self, path: str) -> bool:
        if path.startswith(self.EXEMPT_PREFIXES):
            return True
        if self._exempt_paths is None:
            self._exempt_paths = frozenset(reverse(name) for name in self.EXEMPT_NAMES)
        return path in self._exempt_paths

    @staticmethod
    def _api_refusal(gate) -> JsonResponse:
        if gate.state == "enrol":
            detail = _(
                "Two-factor login is required for your role (SEC-2): set it up in the browser "
                "(/accounts/twofa/setup/) before using the API with this session."
            )
            code = DataSecurityErrorCode.TWOFA_ENROLMENT_REQUIRED
        else:
            detail = _(
                "This session has not passed the second step of the login (SEC-2): enter your code "
                "in the browser (/accounts/twofa/verify/) before using the API with it."
            )
            code = DataSecurityErrorCode.TWOFA_VERIFICATION_REQUIRED
        return JsonResponse({"detail": detail, "code": str(code)}, status=403)


class PermissionDenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and getattr(request, "_security_view_reached", False):
            user = getattr(request, "user", None)
            if getattr(user, "is_authenticated", False) and not _csrf_refusal(response):
                try:
                    services.security_permission_denial_record(
                        user=user, method=request.method or "", path=request.path, api=request.path.startswith("/api/")
                    )
                except DatabaseError:
                    # The refusal stands whatever happens to its record: a 403, never a 500.
                    logger.exception("permission denial of user %s not recorded", user.pk)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Reached only when the CSRF middleware (before this one) let the request through.
        request._security_view_reached = True


def _csrf_refusal(response) -> bool:
    detail = getattr(response, "data", None)
    if isinstance(detail, dict):
        detail = detail.get("detail")
    return isinstance(detail, str) and detail.startswith("CSRF Failed")
