"""The ``access-grants-sync`` job and guardian's caveat: grants start and expire through the job
(idempotent: a second run changes nothing), and a deleted object leaves no permission behind."""

import datetime

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.shortcuts import assign_perm
from guardian.utils import get_user_obj_perms_model

from callcenter import services, tasks
from callcenter.models import AccessGrant, GrantEndReason, GrantKind, GrantState, JobRun, Team, User
from callcenter.roles import Role
from callcenter.selectors import employees_visible_to
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cover(org):
    user = f.UserFactory(username="cover", roles=[Role.SUPERVISOR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="孙磊")


def _perms() -> set[tuple[int, str, str]]:
    rows = get_user_obj_perms_model().objects.select_related("permission")
    return {(row.user_id, row.permission.codename, row.object_pk) for row in rows}


def _state() -> list[tuple]:
    return list(AccessGrant.objects.order_by("pk").values_list("pk", "state", "end_reason", "started_at", "ended_at"))


def test_the_job_is_scheduled_labelled_and_recorded(org):
    assert settings.CELERY_BEAT_SCHEDULE["access-grants-sync"]["task"] == "callcenter.tasks.access_grants_sync"
    assert "access-grants-sync" in settings.PERIODIC_JOB_LABELS
    tasks.access_grants_sync.apply()
    assert JobRun.objects.get(job="access-grants-sync").status == "succeeded"


def test_the_job_starts_and_expires_grants_and_a_second_run_changes_nothing(org, cover):
    today = timezone.localdate()
    # due to start (given earlier for today), past its last day (permission still held), and a
    # permission given by hand with no grant behind it
    starting = f.access_grant(
        grantee=cover.user, obj=org.a1, kind=GrantKind.TEAM, starts_on=today, ends_on=today + DAY,
        granted_by=org.hr.user, started=False,
    )  # fmt: skip
    expired = f.access_grant(
        grantee=cover.user, obj=org.a2, kind=GrantKind.TEAM, starts_on=today - 5 * DAY, ends_on=today - DAY,
        granted_by=org.hr.user,
    )  # fmt: skip
    later = f.access_grant(
        grantee=cover.user, obj=org.b1, kind=GrantKind.TEAM, starts_on=today + DAY, ends_on=today + 2 * DAY,
        granted_by=org.hr.user, started=False,
    )  # fmt: skip
    assign_perm("callcenter.cover_team", org.agent.user, org.a2)
    # before the job: the expired grant shows nothing already, the starting one not yet
    assert set(employees_visible_to(User.objects.get(pk=cover.user.pk))) == {cover}

    first = services.access_grants_sync()

    assert first == {
        "started": 1,
        "expired": 1,
        "object_deleted": 0,
        "permissions_restored": 0,
        "permissions_removed": 1,
    }
    states = {grant.pk: grant for grant in AccessGrant.objects.all()}
    assert states[starting.pk].state == GrantState.ACTIVE
    assert (states[expired.pk].state, states[expired.pk].end_reason) == (GrantState.ENDED, GrantEndReason.EXPIRED)
    assert states[later.pk].state == GrantState.SCHEDULED
    assert _perms() == {(cover.user.pk, "cover_team", str(org.a1.pk))}
    assert set(employees_visible_to(User.objects.get(pk=cover.user.pk))) >= {org.agent, org.peer, org.supervisor}
    actions = sorted(AuditEvent.objects.filter(action__startswith="access_grant.").values_list("action", flat=True))
    assert actions == ["access_grant.expire", "access_grant.permission_removed", "access_grant.start"]

    state, perms, events = _state(), _perms(), AuditEvent.objects.count()
    second = services.access_grants_sync()
    assert set(second.values()) == {0}
    assert (_state(), _perms(), AuditEvent.objects.count()) == (state, perms, events)


def test_the_job_restores_a_started_grants_permission_removed_behind_its_back(org, cover):
    today = timezone.localdate()
    f.access_grant(
        grantee=cover.user, obj=org.a1, kind=GrantKind.TEAM, starts_on=today, ends_on=today, granted_by=org.hr.user
    )
    get_user_obj_perms_model().objects.all().delete()
    assert services.access_grants_sync()["permissions_restored"] == 1
    assert _perms() == {(cover.user.pk, "cover_team", str(org.a1.pk))}


def test_a_deleted_object_leaves_no_permission_and_ends_its_grants(org, cover):
    # given a team covered today and another person's permission on it
    today = timezone.localdate()
    team = f.TeamFactory(department=org.dept_a, code="A9", name="九组")
    services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.TEAM, grantee_id=cover.user.pk, target=team.pk, starts_on=today,
        ends_on=today + DAY, reason="代管九组一周",
    )  # fmt: skip
    pk = team.pk
    assert (cover.user.pk, "cover_team", str(pk)) in _perms()
    # when the team is deleted
    Team.objects.filter(pk=pk).delete()
    # then no permission points at its id any more (a later team can never inherit one), the grant
    # has ended and says why, and it is audited
    team_type = ContentType.objects.get_for_model(Team)
    assert not get_user_obj_perms_model().objects.filter(content_type=team_type, object_pk=str(pk)).exists()
    grant = AccessGrant.objects.get()
    assert (grant.state, grant.end_reason, grant.object_label) == (
        GrantState.ENDED,
        GrantEndReason.OBJECT_DELETED,
        "A9 九组",
    )
    assert AuditEvent.objects.filter(action="access_grant.object_deleted", object_id=str(grant.pk)).exists()


def test_the_job_sweeps_a_permission_left_by_an_object_deleted_behind_the_signal(org, cover):
    # given a permission on a team deleted by raw SQL (no post_delete signal)
    team = f.TeamFactory(department=org.dept_a, code="A9", name="九组")
    assign_perm("callcenter.cover_team", cover.user, team)
    Team.objects.filter(pk=team.pk)._raw_delete(Team.objects.db)
    # then the job removes it, audited
    assert services.access_grants_sync()["permissions_removed"] == 1
    assert _perms() == set()
    assert AuditEvent.objects.filter(action="access_grant.permission_removed", object_id=str(team.pk)).exists()
