"""Function-level access (SECURITY.md class 2): every view and API endpoint declares who may
call it, and each role is refused the functions it must not perform."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from callcenter.models import AccountPolicy
from callcenter.roles import Role

THIRD_PARTY_PREFIXES = ("admin/",)  # Django admin guards itself (staff only)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_view_declares_its_access_rule():
    undeclared = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(THIRD_PARTY_PREFIXES):
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            perms = callback.initkwargs.get("permission_classes") or view_class.__dict__.get("permission_classes")
            if not perms or AllowAny in perms:
                undeclared.append(route)
        elif not getattr(callback, "access_rule", None):
            undeclared.append(route)
    assert not undeclared, f"views without a declared access rule: {undeclared}"


# (url name, args, roles allowed); everyone else gets 403
RESTRICTED = [
    ("callcenter:policy_list", [], {Role.HR}),
    ("callcenter:policy_detail", ["callcenter.accountpolicy"], {Role.HR}),
    ("datasecurity:audit_event_list", [], {Role.SECURITY_AUDITOR}),
    ("api:datasecurity:audit_event_list", [], {Role.SECURITY_AUDITOR}),
]
ROLE_USERS = {
    Role.AGENT: "agent",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}


@pytest.mark.parametrize("name,args,allowed", RESTRICTED)
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_role_matrix_for_restricted_functions(client, org, name, args, allowed, role):
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_only_hr_can_create_policy_versions(client, org, role):
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    response = client.post(
        reverse("callcenter:policy_detail", args=["callcenter.accountpolicy"]),
        {"effective_from": "2099-01-01", "password_max_age_days": 60, "api_token_max_age_days": 90, "note": "x"},
    )

    assert AccountPolicy.objects.exists() == (role == Role.HR)
    assert response.status_code == (302 if role == Role.HR else 403)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_health_page_is_for_admins_only(client, org, role):
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    assert client.get(reverse("callcenter:health")).status_code == 403


def test_health_page_for_staff_shows_jobs(client, org, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-Long-Passw0rd", must_change_password=False)

    admin.password_changed_at = timezone.now()
    admin.save()
    client.force_login(admin)
    html = client.get(reverse("callcenter:health")).content.decode()
    assert "audit-chain-verify" in html and "sessions-clear" in html
