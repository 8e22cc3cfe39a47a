"""Line and document arithmetic, shared by deals, quotes and invoices (ADR 0001).

Each line is rounded to the currency on its own (amount, discount, tax), and document totals
are sums of rounded lines, so the printed lines always add up to the printed total.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from faktura.core.errors import RuleViolation
from faktura.core.money import MAX_AMOUNT, format_money, round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)


class DiscountType(models.TextChoices):
    PERCENT = "percent", "Percent"
    FIXED = "fixed", "Fixed amount"


@dataclass(frozen=True)
class LineAmounts:
    amount: Decimal  # quantity × unit price
    discount: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return self.amount - self.discount

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.tax


def line_amounts(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_type: str,
    discount_value: Decimal,
    tax_rate: Decimal,
    currency: str,
) -> LineAmounts:
    """Discount first, then tax on the discounted amount (HubSpot's order, H-5)."""
    amount = round_money(quantity * unit_price, currency)
    if abs(amount) > MAX_AMOUNT:
        raise RuleViolation(
            f"The line amount {format_money(amount, currency)} (quantity × unit price) is too "
            f"large; one line can be at most {format_money(MAX_AMOUNT, currency)}.",
            code="invalid_amount",
        )
    if discount_type == DiscountType.PERCENT:
        discount = round_money(amount * discount_value / HUNDRED, currency)
    else:
        discount = round_money(discount_value, currency)
    if abs(discount) > abs(amount):
        raise RuleViolation(
            f"The discount {discount} is larger than the line amount {amount}. "
            "Lower the discount or raise the quantity or price."
        )
    tax = round_money((amount - discount) * tax_rate / HUNDRED, currency)
    return LineAmounts(amount=amount, discount=discount, tax=tax)


def totals(lines: Iterable[LineAmounts]) -> Totals:
    subtotal = discount = tax = ZERO
    for line in lines:
        subtotal += line.amount
        discount += line.discount
        tax += line.tax
    result = Totals(subtotal=subtotal, discount=discount, tax=tax)
    if max(abs(result.subtotal), abs(result.total)) > MAX_AMOUNT:
        raise RuleViolation(
            f"The document total {result.total} is too large; split it into several documents.",
            code="invalid_amount",
        )
    return result
