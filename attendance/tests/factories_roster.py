"""factory_boy factories for shift types, roster entries, punches and corrections."""

import datetime

import factory
from django.utils import timezone

from attendance.models import (
    CorrectionStatus,
    DayKind,
    MonthVerification,
    Punch,
    PunchCorrection,
    PunchSource,
    RosterEntry,
    ShiftType,
)
from callcenter.tests.factories import EmployeeFactory, UserFactory


class ShiftTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftType
        django_get_or_create = ("code",)

    code = "D"
    name = "白班"
    start_time = datetime.time(9, 0)
    end_time = datetime.time(18, 0)
    break_minutes = 60


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterEntry

    employee = factory.SubFactory(EmployeeFactory)
    work_date = factory.LazyFunction(timezone.localdate)
    kind = DayKind.WORK
    shift = factory.SubFactory(ShiftTypeFactory)


class PunchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Punch

    employee = factory.SubFactory(EmployeeFactory)
    punched_at = factory.LazyFunction(timezone.now)
    source = PunchSource.WEB
    idempotency_key = factory.Sequence(lambda n: f"test-punch-{n}")


class PunchCorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PunchCorrection

    employee = factory.SubFactory(EmployeeFactory)
    work_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    requested_time = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.work_date, datetime.time(9, 0)))
    )
    reason = "忘记打卡了"
    status = CorrectionStatus.PENDING


class MonthVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthVerification

    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    verified_by = factory.SubFactory(UserFactory)
