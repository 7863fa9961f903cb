"""The appraisal policy a month is scored under (PRF-2..PRF-4): its month end, the database's
checks of its weights and bands, and the version in force for a month."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from performance import rules
from performance.models import AppraisalPolicy
from performance.selectors import policy_for_month

SEPT = datetime.date(2026, 9, 1)


@pytest.mark.parametrize(
    "month,last",
    [(datetime.date(2026, 2, 1), 28), (datetime.date(2028, 2, 1), 29), (datetime.date(2026, 12, 1), 31)],
)
def test_month_last_day(month, last):
    assert rules.month_last_day(month) == month.replace(day=last)


def test_policy_weights_must_add_up_to_100(db):
    """PRF-3: self 30 + superior 60 is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        AppraisalPolicy.objects.create(effective_from=SEPT, self_weight=30, superior_weight=60)
    AppraisalPolicy.objects.create(effective_from=SEPT, self_weight=40, superior_weight=60)
    assert policy_for_month(SEPT).self_weight == 40
    assert policy_for_month(datetime.date(2026, 8, 1)).self_weight == 30  # defaults before it


def test_policy_bands_must_go_down(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AppraisalPolicy.objects.create(effective_from=SEPT, band_good_min=Decimal("91"))
