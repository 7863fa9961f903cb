"""The Django admin writes nothing that bypasses the audited services (SEC-2, SEC-3).

Users, groups, employees and every HR record are read-only there; roles are assigned on their own
page (``test_accounts_roles.py``); the DRF token admin is gone (tokens are issued by services).
Departments, teams and positions are read-only too since issue 13: they are edited on the org
pages (``test_org_edit.py``), through audited services.
"""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from callcenter.models import ApiToken, Position, Team
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

# Admins that still write, each through an audited service (see the module docstring): none.
AUDITED_WRITERS: set = set()


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True)


def _user_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [],
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "preferred_language": "zh-hans",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_cannot_put_a_user_in_the_hr_group(client, org, root):
    # given a superuser in the admin; when they add the agent to the hr group
    client.force_login(root)
    hr = Group.objects.get(name=Role.HR)
    url = reverse("admin:callcenter_user_change", args=[org.agent.user.pk])
    response = client.post(url, _user_form(org.agent.user, groups=[hr.pk]))
    # then the admin refuses: the role page is the way, and it audits
    assert response.status_code == 403
    assert not org.agent.user.groups.filter(name=Role.HR).exists()
    # and the page itself still shows the user (read-only)
    assert client.get(url).status_code == 200


def test_the_admin_cannot_deactivate_a_user(client, org, root):
    client.force_login(root)
    url = reverse("admin:callcenter_user_change", args=[org.agent.user.pk])
    response = client.post(url, _user_form(org.agent.user, is_active=None))
    assert response.status_code == 403
    org.agent.user.refresh_from_db()
    assert org.agent.user.is_active


def test_the_admin_cannot_set_a_password_or_add_a_user(client, org, root):
    client.force_login(root)
    password_url = reverse("admin:auth_user_password_change", args=[org.agent.user.pk])
    response = client.post(password_url, {"password1": "Another-Passw0rd!", "password2": "Another-Passw0rd!"})
    assert response.status_code in (403, 404)
    assert client.post(reverse("admin:callcenter_user_add"), {"username": "mallory"}).status_code == 403


def test_the_admin_issues_no_api_tokens(client, org, root):
    client.force_login(root)
    for name in ("admin:callcenter_apitoken_add", "admin:authtoken_tokenproxy_add"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
    for path in ("callcenter/apitoken/add/", "authtoken/tokenproxy/add/"):
        response = client.post(f"/{settings.ADMIN_URL}{path}", {"user": org.agent.user.pk})
        assert response.status_code == 404
    assert not ApiToken.objects.filter(user=org.agent.user).exists()


def test_the_admin_cannot_change_an_employee_or_a_group(client, org, root):
    client.force_login(root)
    employee_url = reverse("admin:callcenter_employee_change", args=[org.agent.pk])
    assert client.post(employee_url, {"name": "forged", "employee_no": org.agent.employee_no}).status_code == 403
    org.agent.refresh_from_db()
    assert org.agent.name != "forged"
    group_url = reverse("admin:auth_group_change", args=[Group.objects.get(name=Role.HR).pk])
    assert client.post(group_url, {"name": "hr", "permissions": []}).status_code == 403


def test_every_admin_is_read_only_but_the_audited_org_records(root):
    # given every model registered in the admin (ours and the libraries')
    request = RequestFactory().get("/")
    request.user = root
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model in AUDITED_WRITERS or model._meta.app_label == "axes":
            continue
        if (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        ):
            writable.append(model._meta.label)
    # then none lets a superuser write
    assert writable == []


def test_org_records_cannot_be_written_in_the_admin(client, org, root):
    """Issue 13: departments, teams and positions are edited on the org pages (audited services)."""
    client.force_login(root)
    response = client.post(reverse("admin:callcenter_position_add"), {"code": "QA", "name": "质检员"})
    assert response.status_code == 403
    assert not Position.objects.filter(code="QA").exists()
    url = reverse("admin:callcenter_team_change", args=[org.a1.pk])
    assert client.post(url, {"code": "A1", "name": "forged", "department": org.dept_a.pk}).status_code == 403
    assert Team.objects.get(pk=org.a1.pk).name == "一组"
    assert client.get(reverse("admin:callcenter_department_changelist")).status_code == 200
    assert not AuditEvent.objects.filter(action__in=["position.create", "team.update"]).exists()
