"""Roles are assigned and removed on their own page, by HR or an administrator, audited (SEC-2).

Nobody changes their own roles; the security auditor's role is granted and removed by an
administrator only (HR does not choose who audits HR).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callcenter import services
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent


def _roles(user):
    return set(user.groups.values_list("name", flat=True))


def _post(client, user, role, op):
    return client.post(reverse("callcenter:user_roles", args=[user.pk]), {"role": role, "op": op})


def test_hr_assigns_and_removes_a_role_and_each_change_is_audited(client, org):
    client.force_login(org.hr.user)
    agent = org.agent.user
    # when HR makes the agent a supervisor
    response = _post(client, agent, Role.SUPERVISOR, "assign")
    assert response.status_code == 302
    assert _roles(agent) == {Role.AGENT, Role.SUPERVISOR}
    event = AuditEvent.objects.get(action="user.role_assign")
    assert event.actor == org.hr.user and event.object_id == str(agent.pk)
    assert event.changes == {"role": Role.SUPERVISOR, "roles": [[Role.AGENT], [Role.AGENT, Role.SUPERVISOR]]}
    # and removes it again
    assert _post(client, agent, Role.SUPERVISOR, "remove").status_code == 302
    assert _roles(agent) == {Role.AGENT}
    assert AuditEvent.objects.filter(action="user.role_remove", object_id=str(agent.pk)).count() == 1


def test_nobody_changes_their_own_roles(client, org):
    # given HR on their own account (SEC-2: no acting on one's own record)
    client.force_login(org.hr.user)
    response = _post(client, org.hr.user, Role.SECURITY_AUDITOR, "assign")
    assert response.status_code == 403
    assert "your own" in response.content.decode() or "自己" in response.content.decode()
    with pytest.raises(ApplicationError) as refused:
        services.user_role_remove(actor=org.hr.user, user_id=org.hr.user.pk, role=Role.HR)
    assert refused.value.code == CoreErrorCode.OWN_RECORD
    assert _roles(org.hr.user) == {Role.HR}
    assert not AuditEvent.objects.filter(action__startswith="user.role_").exists()


def test_only_an_administrator_grants_or_removes_the_security_auditor_role(client, org):
    with pytest.raises(ApplicationError) as refused:
        services.user_role_assign(actor=org.hr.user, user_id=org.agent.user.pk, role=Role.SECURITY_AUDITOR)
    assert refused.value.code == CoreErrorCode.ROLE_ADMIN_ONLY
    with pytest.raises(ApplicationError):
        services.user_role_remove(actor=org.hr.user, user_id=org.auditor.user.pk, role=Role.SECURITY_AUDITOR)
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    services.user_role_assign(actor=root, user_id=org.agent.user.pk, role=Role.SECURITY_AUDITOR)
    assert Role.SECURITY_AUDITOR in _roles(org.agent.user)


@pytest.mark.parametrize(
    ("role", "op", "code"),
    [
        ("owner", "assign", CoreErrorCode.INVALID_ROLE),
        (Role.AGENT, "assign", CoreErrorCode.ROLE_UNCHANGED),
        (Role.HR, "remove", CoreErrorCode.ROLE_UNCHANGED),
    ],
)
def test_bad_or_pointless_changes_are_refused_and_change_nothing(org, role, op, code):
    service = services.user_role_assign if op == "assign" else services.user_role_remove
    with pytest.raises(ApplicationError) as refused:
        service(actor=org.hr.user, user_id=org.agent.user.pk, role=role)
    assert refused.value.code == code
    assert _roles(org.agent.user) == {Role.AGENT}
    assert not AuditEvent.objects.filter(action__startswith="user.role_").exists()


def test_a_form_with_an_unknown_role_is_answered_400_not_500(client, org):
    client.force_login(org.hr.user)
    assert _post(client, org.agent.user, "owner", "assign").status_code == 400
    assert _post(client, org.agent.user, Role.AGENT, "explode").status_code == 400
    assert _roles(org.agent.user) == {Role.AGENT}


def test_a_leaver_gets_no_new_role_but_may_lose_one(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.peer.pk, left_on=org.peer.hire_date)
    with pytest.raises(ApplicationError) as refused:
        services.user_role_assign(actor=org.hr.user, user_id=org.peer.user.pk, role=Role.SUPERVISOR)
    assert refused.value.code == CoreErrorCode.USER_INACTIVE
    services.user_role_remove(actor=org.hr.user, user_id=org.peer.user.pk, role=Role.AGENT)
    assert _roles(org.peer.user) == set()


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "handler", "auditor"])
def test_other_roles_may_not_see_or_use_the_role_pages(client, org, who):
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("callcenter:role_list")).status_code == 403
    assert client.get(reverse("callcenter:user_roles", args=[org.peer.user.pk])).status_code == 403
    assert _post(client, org.peer.user, Role.SUPERVISOR, "assign").status_code == 403
    assert _roles(org.peer.user) == {Role.AGENT}
    with pytest.raises(ApplicationError):
        services.user_role_assign(actor=getattr(org, who).user, user_id=org.peer.user.pk, role=Role.SUPERVISOR)


def test_the_role_list_finds_users_by_name_or_role_in_bounded_queries(client, org):
    client.force_login(org.hr.user)
    url = reverse("callcenter:role_list")
    html = client.get(url, {"q": "张伟"}).content.decode()
    assert "agent" in html and "peer" not in html
    html = client.get(url, {"role": Role.SECURITY_AUDITOR}).content.decode()
    assert "auditor" in html and reverse("callcenter:user_roles", args=[org.agent.user.pk]) not in html
    for n in range(10):
        f.UserFactory(username=f"extra{n}", roles=[Role.AGENT, Role.SUPERVISOR])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 12
    assert client.get(url, {"role": "nonsense"}).status_code == 200


def test_the_detail_page_shows_each_role_with_its_action(client, org):
    client.force_login(org.hr.user)
    html = client.get(reverse("callcenter:user_roles", args=[org.agent.user.pk])).content.decode()
    assert 'value="remove"' in html and 'value="assign"' in html
    assert client.get(reverse("callcenter:user_roles", args=[999999])).status_code == 404
    # HR's own page explains why it has no buttons
    own = client.get(reverse("callcenter:user_roles", args=[org.hr.user.pk])).content.decode()
    assert 'value="assign"' not in own
