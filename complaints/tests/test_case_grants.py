"""Access grants in complaints (CMP-1..CMP-3, SEC-2).

A case grant gives a named person (an auditor) read access to one complaint: that complaint in
the pages and the API, masked as for everyone, only while the grant is in force, and nothing else
(no other complaint, no action). An HR assistant limited to department A reads the complaints
concerning A, not every complaint as company HR does. A deleted case leaves no permission behind.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.utils import get_user_obj_perms_model
from rest_framework.test import APIClient

from callcenter import services as core_services
from callcenter.models import AccessGrant, GrantEndReason, GrantKind, User
from callcenter.roles import Role
from callcenter.tests import factories as f
from complaints import selectors
from complaints.models import Complaint
from complaints.tests.factories import complaint_recorded

DAY = datetime.timedelta(days=1)
STATES = ["active", "future", "expired", "revoked"]


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def cases(org):
    """The case granted (about team A1) and another one (about B1)."""
    return complaint_recorded(org, team=org.a1), complaint_recorded(org, by=org.other_dept, team=org.b1)


def grant_case(org, grantee, complaint, state="active"):
    today = timezone.localdate()
    if state == "expired":
        return f.access_grant(
            grantee=grantee.user, obj=complaint, kind=GrantKind.COMPLAINT, starts_on=today - 9 * DAY,
            ends_on=today - DAY, granted_by=org.hr.user,
        )  # fmt: skip
    given = core_services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.COMPLAINT, grantee_id=grantee.user.pk, target=complaint.reference,
        starts_on=today + DAY if state == "future" else today, ends_on=today + 5 * DAY, reason="内部审计抽查本案",
    )  # fmt: skip
    if state == "revoked":
        core_services.access_grant_revoke(actor=org.hr.user, grant_id=given.pk, reason="审计已完成")
    return given


@pytest.mark.parametrize("state", STATES)
def test_the_auditor_reads_the_granted_case_while_the_grant_is_in_force(org, cases, state):
    granted, other = cases
    grant_case(org, org.auditor, granted, state)
    allowed = state == "active"
    user = User.objects.get(pk=org.auditor.user.pk)
    assert list(selectors.complaint_list(user=user)) == ([granted] if allowed else [])
    page, api = Client(), APIClient()
    page.force_login(org.auditor.user)
    api.force_authenticate(org.auditor.user)
    for pk, visible in ((granted.pk, allowed), (other.pk, False)):
        assert page.get(reverse("complaints:detail", args=[pk])).status_code == (200 if visible else 404)
        response = api.get(reverse("api:complaints:detail", args=[pk]))
        assert response.status_code == (200 if visible else 404)
    listed = [row["reference"] for row in api.get(reverse("api:complaints:list")).json()["results"]]
    assert listed == ([granted.reference] if allowed else [])
    queue = page.get(reverse("complaints:queue")).content.decode()
    assert (granted.reference in queue) == allowed and other.reference not in queue


def test_the_granted_case_is_read_only_and_masked(org, cases):
    granted, _other = cases
    grant_case(org, org.auditor, granted)
    api = APIClient()
    api.force_authenticate(org.auditor.user)
    detail = api.get(reverse("api:complaints:detail", args=[granted.pk])).json()
    assert "13812345678" not in str(detail)  # masked as for everyone
    for name, body in (
        ("log", {"kind": "note", "text": "审计备注"}),
        ("resolve", {"text": "已处理"}),
        ("close", {"reason": "审计关闭"}),
        ("contact", {}),
    ):
        response = api.post(reverse(f"api:complaints:{name}", args=[granted.pk]), body, format="json")
        assert response.status_code == 403, name
    page = Client()
    page.force_login(org.auditor.user)
    html = page.get(reverse("complaints:detail", args=[granted.pk])).content.decode()
    assert reverse("complaints:log", args=[granted.pk]) not in html


def test_hr_reads_every_complaint_but_an_hr_assistant_their_departments(org, cases):
    granted, other = cases
    assistant = f.EmployeeFactory(
        user=f.UserFactory(username="assistant", roles=[Role.HR]), team=org.b1, department=org.dept_b
    )
    assert set(selectors.complaint_list(user=org.hr.user)) == {granted, other}
    assert set(selectors.complaint_list(user=assistant.user)) == {granted, other}  # not limited yet
    core_services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.DEPARTMENT, grantee_id=assistant.user.pk, target=org.dept_a.pk,
        starts_on=timezone.localdate(), ends_on=timezone.localdate(), reason="协助一部人事工作",
    )  # fmt: skip
    assert list(selectors.complaint_list(user=User.objects.get(pk=assistant.user.pk))) == [granted]
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=assistant.user.pk))  # as the next request loads it
    assert api.get(reverse("api:complaints:detail", args=[other.pk])).status_code == 404
    assert api.get(reverse("api:complaints:detail", args=[granted.pk])).status_code == 200


def test_hr_names_the_case_by_its_reference_on_the_grant_page(org, cases):
    granted, _other = cases
    page = Client()
    page.force_login(org.hr.user)
    today = timezone.localdate().isoformat()
    response = page.post(
        reverse("callcenter:access_grants"),
        {
            "kind": GrantKind.COMPLAINT,
            "grantee": org.auditor.user.pk,
            "complaint": granted.reference.lower(),
            "starts_on": today,
            "ends_on": today,
            "reason": "内部审计抽查本案",
        },
    )
    assert response.status_code == 302
    assert AccessGrant.objects.get().object_label == granted.reference


def test_a_deleted_case_leaves_no_permission_behind(org):
    # given a case (a bare row: a worked case's timeline is never deleted) granted to the auditor
    now = timezone.now()
    case = Complaint.objects.create(
        reference="TS-DEL-1", customer_name="王先生", phone="13800000000", matter="测试", received_at=now,
        channel="phone", first_response_due=now, resolution_due=now,
    )  # fmt: skip
    grant_case(org, org.auditor, case)
    complaint_type = ContentType.objects.get_for_model(Complaint)
    perms = get_user_obj_perms_model().objects.filter(content_type=complaint_type, object_pk=str(case.pk))
    assert perms.exists()
    pk = case.pk
    case.delete()
    assert not get_user_obj_perms_model().objects.filter(content_type=complaint_type, object_pk=str(pk)).exists()
    assert AccessGrant.objects.get().end_reason == GrantEndReason.OBJECT_DELETED
