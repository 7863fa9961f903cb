"""factory_boy factories for shifts, rosters, time clocks and punches."""

import datetime
import hashlib
import itertools

import factory
from django.utils import timezone

from attendance.models import DayKind, Device, Punch, PunchSource, RosterEntry, ShiftType
from callcenter.tests.factories import EmployeeFactory

_tokens = itertools.count()


class ShiftTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftType
        django_get_or_create = ("code",)

    code = "DAY"
    name = "白班"
    start_time = datetime.time(9, 0)
    end_time = datetime.time(18, 0)
    break_minutes = 60


def night_shift():
    return ShiftTypeFactory(code="NIGHT", name="夜班", start_time=datetime.time(22, 0), end_time=datetime.time(7, 0))


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterEntry

    employee = factory.SubFactory(EmployeeFactory)
    work_date = factory.LazyFunction(timezone.localdate)
    kind = DayKind.WORK
    shift = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == DayKind.WORK), factory.SubFactory(ShiftTypeFactory), None
    )


class DeviceFactory(factory.django.DjangoModelFactory):
    """``DeviceFactory(token="...")`` stores that token's hash; the default token is ``device-token-<n>``."""

    class Meta:
        model = Device
        exclude = ("token",)

    name = factory.Sequence(lambda n: f"考勤机{n}")
    location = "3F"
    token = factory.LazyFunction(lambda: f"device-token-{next(_tokens)}")
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())


class PunchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Punch

    employee = factory.SubFactory(EmployeeFactory)
    punched_at = factory.LazyFunction(timezone.now)
    source = PunchSource.WEB
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    device = None
    device_punch_id = factory.LazyAttributeSequence(lambda o, n: f"dp{n}" if o.device else "")
    ip = "10.0.0.1"
    user_agent = "pytest"
