"""Factories for time clocks and punches (ATT-2)."""

import hashlib
import itertools

import factory
from django.utils import timezone

from attendance.models import Device, Punch, PunchSource
from callcenter.tests.factories import EmployeeFactory

__all__ = ["DeviceFactory", "PunchFactory"]

_tokens = itertools.count()


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
