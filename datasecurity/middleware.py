"""Permission denials reach the audit trail (SEC-3): a page or an API call refused (403) to a
signed-in user is recorded by ``security_permission_denial_record``, bounded per user and hour.

The cheap path: a response that is not a 403 costs one integer comparison. A CSRF refusal is not
a permission denial (the request never reached its view): Django's is answered before
``process_view`` below runs, DRF's says so in its detail. Installed after the authentication
and password-change middleware (callcenter/settings.py); DRF authenticates API tokens in the
view and sets the user on the request, so token calls are seen too."""

import logging

from django.db import DatabaseError

from datasecurity.services import security_permission_denial_record

logger = logging.getLogger(__name__)


class PermissionDenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and getattr(request, "_security_view_reached", False):
            user = getattr(request, "user", None)
            if getattr(user, "is_authenticated", False) and not _csrf_refusal(response):
                try:
                    security_permission_denial_record(
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
