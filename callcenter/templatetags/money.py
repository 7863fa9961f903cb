"""``{% load money %}`` ``{{ amount|money }}``: the one way a page shows an amount of money.

Yuan with the sign, thousands separators and two decimals, the same in both languages
(¥12,345.60; -¥20.00): Chinese and English readers of pay figures both write them this way, and a
figure must not change its look with the reader's language settings (``floatformat:"2g"``
follows the locale's separators). Rounded half up to the fen, as the amounts are stored.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

FEN = Decimal("0.01")


def money_text(value) -> str:
    """``value`` (Decimal, int, float or its text) as ¥ with separators and two decimals; "—" for
    nothing; anything that is not a number is returned as it is."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter(is_safe=True)
def money(value) -> str:
    return money_text(value)
