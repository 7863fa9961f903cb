"""factory_boy factories for the org model. Other apps import these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.shortcuts import assign_perm

from callcenter.models import AccessGrant, Department, Employee, GrantState, Position, Team, User
from callcenter.providers import grant_target

TEST_PASSWORD = "Correct-Horse-42!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    must_change_password = False
    password_changed_at = factory.LazyFunction(timezone.now)
    preferred_language = "zh-hans"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test's flush also empties the groups the migration made.
            self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))
        if create:
            self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"客服{n}部")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}组")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = "AGENT"
    name = "话务员"


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    team = factory.SubFactory(TeamFactory)
    department = factory.LazyAttribute(lambda o: o.team.department if o.team else DepartmentFactory())
    position = factory.SubFactory(PositionFactory)
    hire_date = datetime.date(2024, 3, 1)
    first_employed_on = datetime.date(2020, 7, 1)
    monthly_base_pay = Decimal("5000.00")
    bonus_base = Decimal("1000.00")


def access_grant(*, grantee, obj, kind, starts_on, ends_on, granted_by, started=True):
    """An access grant written directly, with any dates (even past ones the service refuses), as
    if the job had started it: with ``started`` its django-guardian permission is assigned and
    its state is active, whatever its dates (an expired grant the job has not yet seen)."""
    target = grant_target(kind)
    app_label, codename = target.permission.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    grant = AccessGrant.objects.create(
        kind=kind,
        grantee=grantee,
        content_type=ContentType.objects.get_for_model(target.model),
        object_pk=str(obj.pk),
        object_label=target.label(obj),
        permission=permission,
        starts_on=starts_on,
        ends_on=ends_on,
        reason="Written by a test",
        granted_by=granted_by,
        state=GrantState.ACTIVE if started else GrantState.SCHEDULED,
        started_at=timezone.now() if started else None,
    )
    if started:
        assign_perm(permission, grantee, obj)
    if kind == "department" and not grantee.hr_remit_limited:  # as the service does
        grantee.hr_remit_limited = True
        grantee.save(update_fields=["hr_remit_limited"])
    return grant


def reads_english(*employees) -> None:
    """The pages these people open are in English: their own language decides (the middleware
    activates it); a request's Accept-Language is only the fallback for a reader without one."""
    User.objects.filter(employee__in=employees).update(preferred_language="en")
