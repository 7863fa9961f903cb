"""Factories for punch corrections (补卡, ATT-2)."""

import datetime

import factory
from django.utils import timezone

from attendance.models import CorrectionStatus, PunchCorrection
from callcenter.tests.factories import EmployeeFactory

__all__ = ["PunchCorrectionFactory"]


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
