"""Versioned policies: HR adds versions in the browser; computations use the one in force."""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from callcenter import services
from callcenter.errors import ApplicationError
from callcenter.models import POLICY_REGISTRY, AccountPolicy
from callcenter.selectors import policy_in_force
from datasecurity.models import AuditEvent, AuditPolicy


def test_defaults_apply_before_any_version(db):
    policy = policy_in_force(AccountPolicy, datetime.date(2026, 3, 1))
    assert policy.pk is None and policy.password_max_age_days == 90  # SEC-2 default
    assert policy_in_force(AuditPolicy).audit_retention_days == 180


def test_version_in_force_on_a_date(db):
    # given versions effective 1 Jan and 1 Apr; then March uses January's, April uses April's
    AccountPolicy.objects.create(effective_from=datetime.date(2026, 1, 1), password_max_age_days=90)
    AccountPolicy.objects.create(effective_from=datetime.date(2026, 4, 1), password_max_age_days=60)
    assert policy_in_force(AccountPolicy, datetime.date(2026, 3, 31)).password_max_age_days == 90
    assert policy_in_force(AccountPolicy, datetime.date(2026, 4, 1)).password_max_age_days == 60


def test_policy_version_create_is_audited(org):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    version = services.policy_version_create(
        actor=org.hr.user, model=AccountPolicy, effective_from=tomorrow, values={"password_max_age_days": 45}
    )
    event = AuditEvent.objects.get(action="policy.version_create")
    assert event.object_id == str(version.pk)
    assert event.changes["password_max_age_days"] == [None, 45]
    assert event.actor == org.hr.user


@pytest.mark.parametrize(
    "effective_from,values,code",
    [
        (datetime.date(2020, 1, 1), {"password_max_age_days": 45}, "retroactive_policy"),
        (datetime.date(2099, 1, 1), {"no_such_field": 1}, "invalid"),
        (datetime.date(2099, 1, 1), {"password_max_age_days": 0}, "invalid"),
    ],
)
def test_bad_versions_are_refused_and_change_nothing(org, effective_from, values, code):
    with pytest.raises(ApplicationError) as exc:
        services.policy_version_create(
            actor=org.hr.user, model=AccountPolicy, effective_from=effective_from, values=values
        )
    assert exc.value.code == code
    assert not AccountPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="policy.version_create").exists()


def test_audit_retention_never_below_180_days(org):
    # SEC-2: China's Cybersecurity Law asks for at least six months of logs
    with pytest.raises(ApplicationError):
        services.policy_version_create(
            actor=org.hr.user,
            model=AuditPolicy,
            effective_from=datetime.date(2099, 1, 1),
            values={"audit_retention_days": 179},
        )
    services.policy_version_create(
        actor=org.hr.user,
        model=AuditPolicy,
        effective_from=datetime.date(2099, 1, 1),
        values={"audit_retention_days": 180},
    )


def test_hr_edits_policy_in_browser_and_sees_article_codes(client, org):
    client.force_login(org.hr.user)
    url = reverse("callcenter:policy_detail", args=["callcenter.accountpolicy"])
    page = client.get(url).content.decode()
    assert "SEC-2" in page and 'name="password_max_age_days"' in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url, {"effective_from": tomorrow, "password_max_age_days": 60, "api_token_max_age_days": 90, "note": "审计要求"}
    )
    assert response.status_code == 302
    assert AccountPolicy.objects.get().password_max_age_days == 60
    # a second version on the same date is refused with a message, not a 500
    response = client.post(
        url, {"effective_from": tomorrow, "password_max_age_days": 30, "api_token_max_age_days": 90, "note": ""}
    )
    assert response.status_code == 400 and 'class="field-errors"' in response.content.decode()
    assert AccountPolicy.objects.count() == 1


def test_policy_page_unknown_label_is_404(client, org):
    client.force_login(org.hr.user)
    assert client.get(reverse("callcenter:policy_detail", args=["nope.nope"])).status_code == 404


def test_policy_defaults_install_is_idempotent(db):
    assert len(services.policy_defaults_install()) == len(POLICY_REGISTRY)
    assert services.policy_defaults_install() == []


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_saving_the_same_date_at_once(org):
    # given two HR sessions saving a version for the same date in parallel (real connections)

    results = []
    barrier = threading.Barrier(2)

    def save(days):
        try:
            barrier.wait()
            services.policy_version_create(
                actor=org.hr.user,
                model=AccountPolicy,
                effective_from=datetime.date(2099, 1, 1),
                values={"password_max_age_days": days},
            )
            results.append("ok")
        except ApplicationError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(d,)) for d in (30, 60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then exactly one wins and the other gets a clear refusal, not a 500
    assert sorted(results) == ["duplicate_effective_date", "ok"]
    assert AccountPolicy.objects.count() == 1
