"""Factories for the daily attendance area: the month's verification (ATT-2)."""

import factory
from django.utils import timezone

from attendance.models import MonthVerification
from callcenter.tests.factories import UserFactory

__all__ = ["MonthVerificationFactory"]


class MonthVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthVerification

    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    verified_by = factory.SubFactory(UserFactory)
