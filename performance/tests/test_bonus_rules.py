"""The bonus line (PRF-4, ATT-4, ATT-5, RWD-2, PEN-1), table-tested at the edges, and its explanation."""

import datetime
from decimal import Decimal

import pytest

from performance import rules
from performance.models import AppraisalPolicy

D = Decimal
DEFAULT = AppraisalPolicy(effective_from=datetime.date(2000, 1, 1))


@pytest.mark.parametrize(
    "score,base,fines,deduction,expected_amount,expected_total",
    [
        (D("90"), D("1000.00"), D("0"), D("0"), D("1200.00"), D("1200.00")),
        (D("89.99"), D("1000.00"), D("50"), D("0"), D("1000.00"), D("950.00")),
        (D("80"), D("1234.56"), D("0"), D("227.27"), D("1234.56"), D("1007.29")),
        (D("79.99"), D("1000.00"), D("0"), D("0"), D("800.00"), D("800.00")),
        (D("65"), D("999.99"), D("0"), D("0"), D("500.00"), D("500.00")),
        (D("59.99"), D("1000.00"), D("100"), D("0"), D("0.00"), D("-100.00")),
        (None, D("1000.00"), D("0"), D("0"), D("0.00"), D("0.00")),
    ],
)
def test_bonus_line(score, base, fines, deduction, expected_amount, expected_total):
    """Given a score, base and the month's attendance money, when the line is computed (PRF-4),
    then base × band coefficient − fines − deduction, Decimal to the cent, explained."""
    line = rules.bonus_line(
        score=score, bonus_base=base, policy=DEFAULT, attendance_fines=fines, absenteeism_deduction=deduction
    )
    assert line.performance_amount == expected_amount
    assert line.total == expected_total
    assert isinstance(line.total, Decimal)
    assert line.explanation[0]["article"] == "PRF-4"
    assert all(rules.explain(entry) != str(entry) for entry in line.explanation)


def test_bonus_line_with_rewards_and_fines():
    line = rules.bonus_line(
        score=D("85"),
        bonus_base=D("1000"),
        policy=DEFAULT,
        rewards=D("200"),
        penalties=D("50"),
        adjustments=[{"rule": "reward", "article": "RWD-2", "amount": "200.00", "title": "服务明星奖"}],
    )
    assert line.total == D("1150.00")
    assert "服务明星奖" in rules.explain(line.explanation[-1])
