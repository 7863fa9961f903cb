"""Users' API tokens (SEC-2): stored hashed, shown once, expiring, listed and revoked by their
owner and by HR or an administrator, audited, ended by a password change or a deactivation; DRF's
plain-text tokens converted by a data migration."""

import datetime
import hashlib
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter import services
from callcenter.errors import ApplicationError
from callcenter.models import AccountPolicy, ApiToken
from callcenter.roles import Role
from callcenter.tests.factories import TEST_PASSWORD
from datasecurity.models import AuditEvent

ME = reverse("api:callcenter:me")
ROLE_USERS = {
    Role.AGENT: "peer",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}


def _api(key) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_new_token_is_shown_once_and_stored_hashed(client, org):
    # given the agent on their API tokens page
    client.force_login(org.agent.user)
    # when they create a token
    response = client.post(reverse("callcenter:api_token_list"), {"name": "Excel export", "lifetime_days": ""})
    # then the page shows the key once, never cached
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    key = response.context["new_key"]
    assert key in response.content.decode() and len(key) >= 40
    # and only its SHA-256 and its first characters are stored
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:8] and key not in str(ApiToken.objects.values().get())
    # and it is audited without the key
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == org.agent.user and event.changes["name"] == "Excel export"
    assert key not in str(event.changes) and key not in event.object_repr
    # and the list shows it afterwards, without the key
    again = client.get(reverse("callcenter:api_token_list")).content.decode()
    assert "Excel export" in again and token.key_prefix in again and key not in again
    # and the key opens the API as the agent
    assert _api(key).get(ME).json()["username"] == "agent"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_lifetime_comes_from_the_account_policy(org):
    AccountPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), api_token_max_age_days=30)
    token, _key = services.api_token_create(actor=org.agent.user, name="default")
    assert abs(token.expires_at - (token.created_at + datetime.timedelta(days=30))) < datetime.timedelta(seconds=1)
    shorter, _key = services.api_token_create(actor=org.agent.user, name="a week", lifetime_days=7)
    assert shorter.expires_at - shorter.created_at == datetime.timedelta(days=7)
    for days in (0, 31, -1):
        with pytest.raises(ApplicationError) as refused:
            services.api_token_create(actor=org.agent.user, name="too long", lifetime_days=days)
        assert refused.value.code == "token_lifetime" and refused.value.field == "lifetime_days"
    assert ApiToken.objects.count() == 2


def test_expired_and_unknown_tokens_are_refused(org):
    token, key = services.api_token_create(actor=org.agent.user, name="old")
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=100), expires_at=timezone.now()
    )
    expired = _api(key).get(ME)
    assert expired.status_code in (401, 403) and expired.json()["code"] == "authentication_failed"
    # the message says why, in the caller's language (zh-Hans by default)
    assert "expired" in expired.json()["detail"] or "已过期" in expired.json()["detail"]
    for bad in ("x" * 40, key[:-1], "é" * 10, "a" * 300):
        response = _api(bad).get(ME)
        assert response.status_code in (401, 403) and response.json()["code"] == "authentication_failed"


def test_a_name_is_required_and_markup_in_it_is_text(client, org):
    client.force_login(org.agent.user)
    blank = client.post(reverse("callcenter:api_token_list"), {"name": "   "})
    assert blank.status_code == 400 and not ApiToken.objects.exists()
    client.post(reverse("callcenter:api_token_list"), {"name": '<script>alert("x")</script>'})
    html = client.get(reverse("callcenter:api_token_list")).content.decode()
    assert "&lt;script&gt;alert(" in html and '<script>alert("x")' not in html


def test_active_tokens_per_account_are_limited(org):
    for n in range(services.API_TOKEN_ACTIVE_LIMIT):
        services.api_token_create(actor=org.agent.user, name=f"tool {n}")
    with pytest.raises(ApplicationError) as refused:
        services.api_token_create(actor=org.agent.user, name="one too many")
    assert refused.value.code == "token_limit_reached"
    # a revoked one frees a place
    services.api_token_revoke(actor=org.agent.user, token_id=ApiToken.objects.first().pk)
    services.api_token_create(actor=org.agent.user, name="replacement")


def test_the_owner_revokes_their_token_once(client, org):
    token, key = services.api_token_create(actor=org.agent.user, name="laptop")
    org.agent.user.preferred_language = "en"
    org.agent.user.save()
    client.force_login(org.agent.user)
    url = reverse("callcenter:api_token_revoke", args=[token.pk])
    response = client.post(url, {"next": reverse("callcenter:api_token_list")})
    assert response.status_code == 302 and response.url == reverse("callcenter:api_token_list")
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == "owner"
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor == org.agent.user and event.changes["reason"] == "owner"
    assert _api(key).get(ME).json()["code"] == "authentication_failed"
    # revoking again is refused with a message, and changes nothing
    page = client.post(url, follow=True)
    assert "This token has already been revoked." in page.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_only_hr_revokes_someone_elses_token(client, org, role):
    # given the agent's token and another user of each role
    token, key = services.api_token_create(actor=org.agent.user, name="agent's script")
    actor = getattr(org, ROLE_USERS[role]).user
    client.force_login(actor)
    # when they try to revoke it
    response = client.post(reverse("callcenter:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    if role == Role.HR:
        # then HR may: the token is revoked as by an administrator, and audited with HR as actor
        assert response.status_code == 302 and token.revoked_reason == "administrator"
        assert AuditEvent.objects.get(action="api_token.revoke").actor == actor
    else:
        # then the others see no such token, and it still works
        assert response.status_code == 404 and token.revoked_at is None
        assert _api(key).get(ME).status_code == 200


def test_an_administrator_revokes_any_token(client, org, django_user_model):
    admin = django_user_model.objects.create_user(
        "root", password=TEST_PASSWORD, is_staff=True, must_change_password=False, password_changed_at=timezone.now()
    )
    token, _key = services.api_token_create(actor=org.agent.user, name="x")
    client.force_login(admin)
    assert client.get(reverse("callcenter:api_token_all")).status_code == 200
    assert client.post(reverse("callcenter:api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_reason == "administrator"


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_everyones_tokens_page_is_for_hr(client, org, role):
    services.api_token_create(actor=org.agent.user, name="agent-tool")
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    response = client.get(reverse("callcenter:api_token_all"))
    assert response.status_code == (200 if role == Role.HR else 403)
    if role == Role.HR:
        assert "agent-tool" in response.content.decode()


def test_my_tokens_page_shows_only_mine(client, org):
    services.api_token_create(actor=org.peer.user, name="peer-tool")
    services.api_token_create(actor=org.agent.user, name="agent-tool")
    client.force_login(org.agent.user)
    html = client.get(reverse("callcenter:api_token_list")).content.decode()
    assert "agent-tool" in html and "peer-tool" not in html
    # and asking for everyone's is refused, not widened
    assert client.get(reverse("callcenter:api_token_all")).status_code == 403


def test_everyones_tokens_filter_and_stay_within_a_query_bound(client, org, django_assert_max_num_queries):
    for who in ("agent", "peer", "supervisor", "other_team", "other_dept"):
        for n in range(3):
            services.api_token_create(actor=getattr(org, who).user, name=f"{who}-tool-{n}")
    revoked, _key = services.api_token_create(actor=org.agent.user, name="gone")
    services.api_token_revoke(actor=org.agent.user, token_id=revoked.pk)
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("callcenter:api_token_all"))
    assert response.context["page_obj"].paginator.count == 15
    revoked_page = client.get(reverse("callcenter:api_token_all"), {"status": "revoked"})
    assert [t.name for t in revoked_page.context["page_obj"]] == ["gone"]
    search = client.get(reverse("callcenter:api_token_all"), {"q": "peer", "status": "all"})
    assert {t.user.username for t in search.context["page_obj"]} == {"peer"}
    # bad filter input is answered, never a 500
    assert client.get(reverse("callcenter:api_token_all"), {"status": "nonsense", "q": "x" * 500}).status_code == 200


def test_a_deactivated_account_manages_no_tokens(org):
    token, _key = services.api_token_create(actor=org.agent.user, name="x")
    user = org.agent.user
    user.is_active = False
    user.save()
    for action in (
        lambda: services.api_token_create(actor=user, name="y"),
        lambda: services.api_token_revoke(actor=user, token_id=token.pk),
    ):
        with pytest.raises(ApplicationError) as refused:
            action()
        assert refused.value.code == "account_inactive"
    assert ApiToken.objects.count() == 1


def test_a_password_change_ends_every_token(client, org):
    _first, first_key = services.api_token_create(actor=org.agent.user, name="a")
    services.api_token_create(actor=org.agent.user, name="b")
    client.force_login(org.agent.user)
    new = "Brand-new-Passw0rd!"
    client.post(
        reverse("callcenter:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"password_change"}
    assert AuditEvent.objects.get(action="user.password_change").changes["api_tokens_ended"] == 2
    assert _api(first_key).get(ME).json()["code"] == "authentication_failed"


def test_token_pages_check_csrf(org):
    token, _key = services.api_token_create(actor=org.agent.user, name="x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.agent.user)
    assert client.post(reverse("callcenter:api_token_list"), {"name": "forged"}).status_code == 403
    assert client.post(reverse("callcenter:api_token_revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_drf_plain_text_tokens_are_gone():
    assert not apps.is_installed("rest_framework.authtoken")


def test_the_data_migration_converts_drf_tokens_so_integrations_keep_working(org):
    # given DRF's plain-text table as an installation before this change has it
    migration = importlib.import_module("callcenter.migrations.0006_authtoken_keys_hashed")
    live_key, left_key = "a" * 40, "b" * 40
    org.other_dept.user.is_active = False
    org.other_dept.user.save()
    created = timezone.now() - datetime.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone NOT NULL,"
            " user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s), (%s, %s, %s)",
            [live_key, created, org.hr.user.pk, left_key, created, org.other_dept.user.pk],
        )
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', now())")
    # when the migration runs
    with connection.schema_editor() as editor:
        migration.authtoken_keys_hashed(apps, editor)
    # then the keys are hashed tokens: the integration's key still opens the API, for a while
    assert _api(live_key).get(ME).json()["username"] == "hr"
    token = ApiToken.objects.get(user=org.hr.user)
    assert token.key_hash == hashlib.sha256(live_key.encode()).hexdigest() and token.key_prefix == live_key[:8]
    assert token.created_at == created and token.expires_at > timezone.now() + datetime.timedelta(days=89)
    # and a leaver's key is carried over revoked
    assert ApiToken.objects.get(user=org.other_dept.user).revoked_reason == "deactivation"
    # and the plain-text keys are gone, with DRF's migration records
    with connection.cursor() as cursor:
        assert "authtoken_token" not in connection.introspection.table_names(cursor)
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone()[0] == 0
    # and running it again changes nothing
    with connection.schema_editor() as editor:
        migration.authtoken_keys_hashed(apps, editor)
    assert ApiToken.objects.count() == 2
