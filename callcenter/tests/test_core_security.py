"""SECURITY.md classes 4 (mass assignment), 5 (injection, e-mails), 8 (concurrency) and 11 (time)
for the core app where it had no test of its own: the owner of a new API token and the user whose
roles change come from the session and the URL, never from fields the caller adds; a
notification's e-mail is plain text with one subject line; two HR users granting, giving a role
or revoking a token at the same moment act once; an access grant is in force through the last
second of its last day in local time, at the year's end too, and not a second longer."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import django.utils.timezone as tz
import pytest
from django.test import Client
from django.urls import reverse

from callcenter import services
from callcenter.models import AccessGrant, ApiToken, GrantKind, User
from callcenter.roles import Role, has_role
from callcenter.selectors import api_token_lifetime_days, employees_visible_to
from callcenter.tests import factories as f
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent

TZ = ZoneInfo("Asia/Shanghai")


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_token_belongs_to_the_session_user_whatever_the_form_adds(org):
    """Given the agent on their tokens page, when they post a token with extra fields naming HR
    as its user, a far expiry, a chosen key and a revocation, then the token is the agent's, its
    expiry is the account policy's lifetime and none of the extra fields is read."""
    before = tz.now()
    response = _client(org.agent.user).post(
        reverse("callcenter:api_token_list"),
        {
            "name": "报表",
            "lifetime_days": "",
            "user": org.hr.user.pk,
            "user_id": org.hr.user.pk,
            "expires_at": "2099-01-01T00:00:00Z",
            "key_hash": "0" * 64,
            "key_prefix": "AAAAAAAA",
            "revoked_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.user == org.agent.user and not ApiToken.objects.filter(user=org.hr.user).exists()
    lifetime = datetime.timedelta(days=api_token_lifetime_days())
    assert before + lifetime - datetime.timedelta(minutes=1) <= token.expires_at <= tz.now() + lifetime
    assert token.key_hash != "0" * 64 and token.key_prefix != "AAAAAAAA" and token.revoked_at is None


def test_a_role_change_acts_on_the_user_of_the_url_not_a_posted_one(org):
    """Given HR changing the peer's roles, when the form also names the agent (``user``,
    ``user_id``), then the peer gets the role and the agent is left as they were."""
    response = _client(org.hr.user).post(
        reverse("callcenter:user_roles", args=[org.peer.user.pk]),
        {"role": Role.SUPERVISOR, "op": "assign", "user": org.agent.user.pk, "user_id": org.agent.user.pk},
    )
    assert response.status_code == 302
    assert has_role(User.objects.get(pk=org.peer.user.pk), Role.SUPERVISOR)
    assert not has_role(User.objects.get(pk=org.agent.user.pk), Role.SUPERVISOR)


@pytest.mark.parametrize(
    ("moment", "in_force"),
    [
        (datetime.datetime(2026, 12, 1, 0, 0, 0, tzinfo=TZ), True),  # first second of the first day
        (datetime.datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ), False),  # the second before
        (datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=TZ), True),  # last second of the year
        (datetime.datetime(2027, 1, 1, 0, 0, 0, tzinfo=TZ), False),  # midnight: in UTC still 31 December
    ],
)
def test_a_grant_for_december_is_in_force_through_new_years_eve_local_time(org, moment, in_force):
    """Given a covering supervisor granted team A1 from 1 to 31 December 2026, when their
    visibility is read at the edges of the period (server time, Asia/Shanghai), then they see A1
    from the first second of 1 December to the last of 31 December, and not at midnight on New
    Year's Day, although UTC still says 31 December then."""
    cover = f.EmployeeFactory(
        user=f.UserFactory(username="cover", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b
    )
    f.access_grant(
        grantee=cover.user,
        obj=org.a1,
        kind=GrantKind.TEAM,
        starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2026, 12, 31),
        granted_by=org.hr.user,
    )
    with mock.patch.object(tz, "now", return_value=moment):
        visible = set(employees_visible_to(User.objects.get(pk=cover.user.pk)).values_list("pk", flat=True))
    assert (org.agent.pk in visible) is in_force
    assert cover.pk in visible


def test_a_notification_with_markup_and_a_header_in_its_title_is_plain_text_everywhere(
    org, celery_eager, mailoutbox, django_capture_on_commit_callbacks, settings
):
    """Given a notification whose title carries markup and a line break followed by a ``Bcc:``
    header (text that reaches titles from names and reasons), when it is e-mailed and listed,
    then the e-mail is plain text only (no HTML part) with a one-line subject and no extra
    recipient, and the notifications page and bell show the markup escaped."""
    settings.SITE_URL = "http://testserver-site"
    user = org.peer.user
    user.email, user.preferred_language = "peer@example.com", "en"
    user.save(update_fields=["email", "preferred_language"])
    title = "<img src=x onerror=alert(1)>\r\nBcc: evil@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(recipients=[user], kind="leave.pending", title=title, body="<b>x</b>", email=True)
    (mail,) = mailoutbox
    assert mail.to == ["peer@example.com"] and mail.bcc == [] and mail.cc == []
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert not getattr(mail, "alternatives", []) and mail.content_subtype == "plain"
    assert mail.recipients() == ["peer@example.com"] and mail.message()["Bcc"] is None
    html = _client(user).get(reverse("callcenter:notification_list")).content.decode()
    assert "<img src=x onerror" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>x</b>" not in html


# --- Concurrency: two HR users at the same moment, on real connections --------------------------


@pytest.fixture
def second_hr(org):
    return f.EmployeeFactory(user=f.UserFactory(username="hr2", roles=[Role.HR]), team=org.b1, department=org.dept_b)


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_granting_the_same_team_at_once_make_one_grant(org, second_hr):
    """Given two HR users granting team A1 to the same covering supervisor for overlapping days,
    when both save at the same moment, then one grant exists, the other is refused as an overlap
    (the grantee's row lock, then the exclusion constraint), and one grant is audited."""
    cover = f.EmployeeFactory(
        user=f.UserFactory(username="cover", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b
    )
    today = tz.localdate()

    def grant(actor, days):
        return lambda: services.access_grant_create(
            actor=actor,
            kind=GrantKind.TEAM,
            grantee_id=cover.user.pk,
            target=org.a1.pk,
            starts_on=today,
            ends_on=today + datetime.timedelta(days=days),
            reason="主管休假，代为管理",
        )

    outcomes = run_parallel([grant(org.hr.user, 7), grant(second_hr.user, 3)])
    assert outcomes == ["grant_overlap", "ok"]
    assert AccessGrant.objects.filter(grantee=cover.user).count() == 1
    assert AuditEvent.objects.filter(action="access_grant.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_giving_the_same_role_at_once_give_it_once(org, second_hr):
    """Given two HR users making the peer a supervisor at the same moment, then one assignment
    lands and the other is told the role is already held (the account's row lock); one event."""
    outcomes = run_parallel(
        [
            lambda actor=actor: services.user_role_assign(actor=actor, user_id=org.peer.user.pk, role=Role.SUPERVISOR)
            for actor in (org.hr.user, second_hr.user)
        ]
    )
    assert outcomes == ["ok", "role_unchanged"]
    assert AuditEvent.objects.filter(action="user.role_assign").count() == 1


@pytest.mark.django_db(transaction=True)
def test_revoking_one_token_twice_at_once_revokes_it_once(org):
    """Given the agent's token, when the agent and HR revoke it at the same moment, then it is
    revoked once, the other is told so, and one revocation is audited."""
    token, _key = services.api_token_create(actor=org.agent.user, name="脚本")
    outcomes = run_parallel(
        [
            lambda actor=actor: services.api_token_revoke(actor=actor, token_id=token.pk)
            for actor in (org.agent.user, org.hr.user)
        ]
    )
    assert outcomes == ["ok", "token_already_revoked"]
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1
