"""Function-level access: every view and API endpoint declares who may call it.

HTML views use :func:`role_required` / :func:`login_only` / :func:`public`; each sets
``view.access_rule`` so a test can walk the URLconf and prove nothing is left undeclared.
API views set ``permission_classes`` explicitly (``IsAuthenticated`` or :class:`HasRole`).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from callcenter.roles import has_role


def _mark(view, rule):
    view.access_rule = rule
    return view


def public(view):
    """No login needed (login page, language switch, health probe)."""
    return _mark(view, "public")


def login_only(view):
    """Any logged-in user; the selectors decide which records they see."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "authenticated")


def role_required(*roles, allow_staff: bool = False):
    """Logged in and holding one of ``roles`` (superusers always pass)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (has_role(user, *roles) or (allow_staff and user.is_staff)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, "roles:" + ",".join(roles))

    return decorator


def HasRole(*roles):  # noqa: N802 - reads like a permission class: HasRole(Role.HR)
    """DRF permission class factory: authenticated and holding one of ``roles``."""

    class _HasRole(BasePermission):
        message = "You do not have the role this action needs."

        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and has_role(request.user, *roles))

    _HasRole.__name__ = "HasRole_" + "_".join(roles)
    return _HasRole
