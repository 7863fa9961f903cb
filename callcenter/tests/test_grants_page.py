"""The access grant page and its services (SEC-2): company HR grants, lists, ends early and reads
the history of time-bound object-level grants; every refusal is clear and changes nothing;
every grant, start and end is audited."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from guardian.utils import get_user_obj_perms_model

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode, PermissionDeniedError
from callcenter.models import AccessGrant, GrantEndReason, GrantKind, GrantState, Notification, User
from callcenter.navigation import navigation_for
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

DAY = datetime.timedelta(days=1)
URL = "/access-grants/"


@pytest.fixture
def cover(org):
    user = f.UserFactory(username="cover", roles=[Role.SUPERVISOR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="孙磊")


@pytest.fixture
def assistant(org):
    user = f.UserFactory(username="assistant", roles=[Role.HR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="郑爽")


def _post(team=None, department=None, complaint="", **data):
    today = timezone.localdate()
    data.setdefault("kind", GrantKind.TEAM)
    data.setdefault("starts_on", today.isoformat())
    data.setdefault("ends_on", (today + 7 * DAY).isoformat())
    data.setdefault("reason", "李娜休假期间代管一组")
    data.update(
        {"team": team.pk if team else "", "department": department.pk if department else "", "complaint": complaint}
    )
    return data


def _perms(user) -> set[tuple[str, str]]:
    rows = get_user_obj_perms_model().objects.filter(user=user).select_related("permission")
    return {(row.permission.codename, row.object_pk) for row in rows}


def test_hr_has_the_page_in_the_menu_and_others_do_not(client, org, assistant):
    assert "access_grants" in {item["key"] for item in navigation_for(org.hr.user)}
    f.access_grant(
        grantee=assistant.user, obj=org.dept_b, kind=GrantKind.DEPARTMENT, starts_on=timezone.localdate(),
        ends_on=timezone.localdate(), granted_by=org.hr.user,
    )  # fmt: skip
    assert "access_grants" not in {item["key"] for item in navigation_for(User.objects.get(pk=assistant.user.pk))}
    for name in ("agent", "supervisor", "manager", "leader", "handler", "auditor"):
        user = getattr(org, name).user
        assert "access_grants" not in {item["key"] for item in navigation_for(user)}
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.force_login(org.hr.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="access-grant-form"' in response.content.decode()


@pytest.mark.parametrize("language,title", [("en", "Access grants"), ("zh-hans", 'lang="zh-hans"')])
def test_the_page_speaks_both_languages(client, org, language, title):
    client.force_login(org.hr.user)
    client.cookies["django_language"] = language
    org.hr.user.preferred_language = language
    org.hr.user.save()
    assert title in client.get(URL, headers={"accept-language": language}).content.decode()


def test_hr_grants_a_team_on_the_page_and_it_is_in_force_at_once(client, org, cover):
    client.force_login(org.hr.user)
    response = client.post(URL, _post(grantee=cover.user.pk, team=org.a1))
    assert response.status_code == 302
    grant = AccessGrant.objects.get()
    assert (grant.kind, grant.grantee, grant.object_label, grant.granted_by) == (
        GrantKind.TEAM,
        cover.user,
        "A1 一组",
        org.hr.user,
    )
    assert grant.state == GrantState.ACTIVE
    assert _perms(cover.user) == {("cover_team", str(org.a1.pk))}  # carried out by django-guardian
    actions = list(
        AuditEvent.objects.filter(object_type="callcenter.accessgrant").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["access_grant.create", "access_grant.start"]
    assert Notification.objects.filter(recipient=cover.user, kind="access.granted").exists()
    page = client.get(URL).content.decode()
    assert f'id="access-grant-{grant.pk}"' in page and "李娜休假期间代管一组" in page


def test_a_grant_for_later_waits_for_its_first_day(org, cover):
    today = timezone.localdate()
    grant = services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.TEAM, grantee_id=cover.user.pk, target=org.a1.pk,
        starts_on=today + DAY, ends_on=today + 3 * DAY, reason="下周代管一组",
    )  # fmt: skip
    assert grant.state == GrantState.SCHEDULED
    assert _perms(cover.user) == set()


@pytest.mark.parametrize(
    "case,code",
    [
        ("self", CoreErrorCode.OWN_RECORD),  # separation of duties (callcenter.duties), SEC-2
        ("inactive", CoreErrorCode.GRANTEE_INACTIVE),
        ("agent_covers", CoreErrorCode.GRANTEE_NOT_ELIGIBLE),
        ("department_to_non_hr", CoreErrorCode.GRANTEE_NOT_ELIGIBLE),
        ("superuser", CoreErrorCode.GRANTEE_NOT_ELIGIBLE),
        ("own_team", CoreErrorCode.GRANT_REDUNDANT),
        ("unknown_case", CoreErrorCode.GRANT_TARGET_NOT_FOUND),
        ("past", CoreErrorCode.INVALID_DATE),
        ("reversed", CoreErrorCode.INVALID_DATE),
        ("too_long", CoreErrorCode.GRANT_TOO_LONG),
        ("no_reason", CoreErrorCode.GRANT_REASON_REQUIRED),
    ],
)
def test_refusals_are_clear_and_change_nothing(org, cover, case, code):
    today = timezone.localdate()
    args = {
        "kind": GrantKind.TEAM,
        "grantee_id": cover.user.pk,
        "target": org.a1.pk,
        "starts_on": today,
        "ends_on": today + DAY,
        "reason": "主管休假代管一组",
    }
    if case == "self":
        args.update(kind=GrantKind.COMPLAINT, grantee_id=org.hr.user.pk, target="X")
    elif case == "inactive":
        cover.user.is_active = False
        cover.user.save()
    elif case == "agent_covers":
        args["grantee_id"] = org.agent.user.pk
    elif case == "department_to_non_hr":
        args.update(kind=GrantKind.DEPARTMENT, target=org.dept_a.pk)
    elif case == "superuser":
        args.update(kind=GrantKind.COMPLAINT, grantee_id=f.UserFactory(username="root", is_superuser=True).pk)
    elif case == "own_team":
        args["grantee_id"] = org.supervisor.user.pk
    elif case == "unknown_case":
        args.update(kind=GrantKind.COMPLAINT, grantee_id=org.auditor.user.pk, target="TS-NOPE")
    elif case == "past":
        args["starts_on"] = today - DAY
    elif case == "reversed":
        args["ends_on"] = today - DAY
    elif case == "too_long":
        args["ends_on"] = today + 366 * DAY
    elif case == "no_reason":
        args["reason"] = "  "
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.access_grant_create(actor=org.hr.user, **args)
    assert refused.value.code == code
    assert str(refused.value.message)
    assert not AccessGrant.objects.exists()
    assert AuditEvent.objects.count() == events


def test_self_grant_is_refused_on_the_page_with_a_message(client, org):
    org.hr.user.preferred_language = "en"
    org.hr.user.save(update_fields=["preferred_language"])
    client.force_login(org.hr.user)
    response = client.post(
        URL, _post(kind=GrantKind.COMPLAINT, grantee=org.hr.user.pk, complaint="X"), headers={"accept-language": "en"}
    )
    assert response.status_code == 400
    assert "You cannot grant access on your own record" in response.content.decode()
    assert not AccessGrant.objects.exists()


def test_overlapping_duplicates_are_refused_but_a_following_period_is_not(org, cover):
    today = timezone.localdate()

    def grant(start, end):
        return services.access_grant_create(
            actor=org.hr.user, kind=GrantKind.TEAM, grantee_id=cover.user.pk, target=org.a1.pk,
            starts_on=start, ends_on=end, reason="主管休假代管一组",
        )  # fmt: skip

    first = grant(today, today + 5 * DAY)
    with pytest.raises(ApplicationError) as refused:
        grant(today + 5 * DAY, today + 9 * DAY)
    assert refused.value.code == CoreErrorCode.GRANT_OVERLAP and refused.value.status == 409
    grant(today + 6 * DAY, today + 9 * DAY)  # the day after: fine
    # a grant ended early no longer counts
    services.access_grant_revoke(actor=org.hr.user, grant_id=first.pk, reason="主管提前返岗")
    grant(today, today + 2 * DAY)
    assert AccessGrant.objects.count() == 3


def test_the_database_refuses_an_overlap_the_service_did_not_see(org, cover):
    today = timezone.localdate()
    f.access_grant(
        grantee=cover.user, obj=org.a1, kind=GrantKind.TEAM, starts_on=today, ends_on=today + DAY,
        granted_by=org.hr.user,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        f.access_grant(
            grantee=cover.user, obj=org.a1, kind=GrantKind.TEAM, starts_on=today + DAY, ends_on=today + 2 * DAY,
            granted_by=org.hr.user,
        )  # fmt: skip


@pytest.mark.parametrize("who", ["supervisor", "manager", "leader", "handler", "auditor", "agent", "assistant"])
def test_only_company_hr_grants(org, cover, assistant, who):
    today = timezone.localdate()
    if who == "assistant":
        f.access_grant(
            grantee=assistant.user, obj=org.dept_b, kind=GrantKind.DEPARTMENT, starts_on=today, ends_on=today,
            granted_by=org.hr.user,
        )  # fmt: skip
    actor = User.objects.get(pk=(assistant if who == "assistant" else getattr(org, who)).user.pk)
    with pytest.raises(PermissionDeniedError):
        services.access_grant_create(
            actor=actor, kind=GrantKind.TEAM, grantee_id=cover.user.pk, target=org.a1.pk, starts_on=today,
            ends_on=today, reason="主管休假代管一组",
        )  # fmt: skip
    assert not selectors.access_grant_list(user=actor).exists()


def test_an_hr_assistant_cannot_open_the_grant_page(client, org, assistant):
    f.access_grant(
        grantee=assistant.user, obj=org.dept_b, kind=GrantKind.DEPARTMENT, starts_on=timezone.localdate(),
        ends_on=timezone.localdate(), granted_by=org.hr.user,
    )  # fmt: skip
    client.force_login(assistant.user)
    assert client.get(URL).status_code == 403


def test_an_administrator_grants_too(client, org, cover):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.post(URL, _post(grantee=cover.user.pk, team=org.a1)).status_code == 302
    assert AccessGrant.objects.get().granted_by == root


def test_ending_early_withdraws_the_access_at_once_and_is_audited(client, org, cover):
    client.force_login(org.hr.user)
    client.post(URL, _post(grantee=cover.user.pk, team=org.a1))
    grant = AccessGrant.objects.get()
    response = client.post(reverse("callcenter:access_grant_revoke", args=[grant.pk]), {"reason": "李娜提前返岗"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.state, grant.end_reason, grant.revoked_by, grant.revoke_reason) == (
        GrantState.ENDED,
        GrantEndReason.REVOKED,
        org.hr.user,
        "李娜提前返岗",
    )
    assert _perms(cover.user) == set()
    assert AuditEvent.objects.filter(action="access_grant.revoke", object_id=str(grant.pk)).exists()
    # the history keeps it, and it cannot be ended twice
    ended = client.get(URL, {"state": "ended"}).content.decode()
    assert f'id="access-grant-{grant.pk}"' in ended and "李娜提前返岗" in ended
    assert f'id="access-grant-{grant.pk}"' not in client.get(URL).content.decode()  # default: current ones
    with pytest.raises(ApplicationError) as refused:
        services.access_grant_revoke(actor=org.hr.user, grant_id=grant.pk, reason="再次提前结束")
    assert refused.value.code == CoreErrorCode.GRANT_ENDED


def test_ending_early_needs_a_reason(client, org, cover):
    client.force_login(org.hr.user)
    client.post(URL, _post(grantee=cover.user.pk, team=org.a1))
    grant = AccessGrant.objects.get()
    client.post(reverse("callcenter:access_grant_revoke", args=[grant.pk]), {"reason": ""})
    grant.refresh_from_db()
    assert grant.state == GrantState.ACTIVE


def test_a_department_grant_limits_the_hr_user_until_company_hr_lifts_it(client, org, assistant):
    today = timezone.localdate()
    services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.DEPARTMENT, grantee_id=assistant.user.pk, target=org.dept_a.pk,
        starts_on=today, ends_on=today + DAY, reason="协助一部人事",
    )  # fmt: skip
    user = User.objects.get(pk=assistant.user.pk)
    assert user.hr_remit_limited and not selectors.is_company_hr(user)
    assert AuditEvent.objects.filter(action="user.hr_remit_limit", object_id=str(user.pk)).exists()
    client.force_login(org.hr.user)
    assert f'id="hr-limit-{user.pk}"' in client.get(URL).content.decode()
    client.post(reverse("callcenter:hr_remit_limit_lift", args=[user.pk]))
    user.refresh_from_db()
    assert not user.hr_remit_limited and selectors.is_company_hr(user)
    assert AccessGrant.objects.get().end_reason == GrantEndReason.REVOKED
    assert AuditEvent.objects.filter(action="user.hr_remit_lift", object_id=str(user.pk)).exists()


def test_markup_in_a_reason_renders_as_text(client, org, cover):
    client.force_login(org.hr.user)
    client.post(URL, _post(grantee=cover.user.pk, team=org.a1, reason="<script>alert(1)</script>"))
    page = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_grant_list_queries_are_bounded(client, org, cover, django_assert_max_num_queries):
    today = timezone.localdate()
    for offset in range(20):
        f.access_grant(
            grantee=cover.user, obj=org.a1, kind=GrantKind.TEAM, starts_on=today + 3 * offset * DAY,
            ends_on=today + (3 * offset + 1) * DAY, granted_by=org.hr.user, started=False,
        )  # fmt: skip
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(16):
        assert client.get(URL, {"state": "all"}).status_code == 200
