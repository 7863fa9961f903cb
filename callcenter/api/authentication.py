"""How users authenticate to the API (``REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]``).

Both classes also enforce the forced password change (SEC-2: first login, password older than
``AccountPolicy.password_max_age_days``) for every user the API authenticates, whatever the
credential: a refused caller gets 403 ``{"detail", "code": "password_change_required"}``.
:class:`callcenter.middleware.PasswordChangeRequiredMiddleware` does the same for the pages; it
cannot for the API, whose token callers are only known once DRF authenticates them. Machine
credentials (time clocks' ``Device``, complaint ``Integration`` tokens) authenticate no user and
are not affected.

A module of its own because DRF imports the default authentication classes while
``rest_framework.views`` is being imported: this module must not import it (``callcenter.rest``
and the endpoint modules do).
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode

__all__ = [
    "PasswordChangeRequired",
    "SessionAuthentication",
    "SessionAuthenticationScheme",
    "TokenAuthentication",
]


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = str(CoreErrorCode.PASSWORD_CHANGE_REQUIRED)


def _password_current(user, session=None) -> None:
    reason = selectors.password_change_required(user=user, session=session)
    if reason:
        raise PasswordChangeRequired(reason)


class SessionAuthentication(authentication.SessionAuthentication):
    """The pages' session (with DRF's CSRF check), and the forced password change."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _password_current(result[0], session=getattr(request._request, "session", None))
        return result


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """The session in the OpenAPI schema (drf-spectacular describes DRF's own class only; the
    token class is a subclass of DRF's, which it matches)."""

    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``: a user's API token (:class:`callcenter.models.ApiToken`,
    stored hashed, expiring, revocable), and the forced password change. ``request.auth`` is the
    token. DRF's header parsing and its answers to a malformed header are kept."""

    def authenticate_credentials(self, key):
        try:
            token = services.api_token_authenticate(key=key)
        except ApplicationError as exc:
            raise exceptions.AuthenticationFailed(str(exc.message)) from exc
        _password_current(token.user)
        return token.user, token
