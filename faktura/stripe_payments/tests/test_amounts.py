"""Amounts as Stripe counts them: its own table of decimals, not ISO 4217's."""

from decimal import Decimal

import pytest

from faktura.stripe_payments.client import StripeProblem, from_minor, to_minor


# SPEC PAY-1
@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.34", "USD", 1234),
        ("1499.50", "NOK", 149950),
        ("1234", "JPY", 1234),
        ("1500", "ISK", 150000),  # no decimals in ISO 4217, two at Stripe
        ("1.234", "KWD", 1234),
    ],
)
def test_amounts_go_to_stripe_in_its_minor_units_and_come_back(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)


# SPEC PAY-1
def test_an_amount_stripe_cannot_take_is_refused_with_the_reason():
    with pytest.raises(StripeProblem, match="Stripe takes MGA in whole units"):
        to_minor(Decimal("100.50"), "MGA")
