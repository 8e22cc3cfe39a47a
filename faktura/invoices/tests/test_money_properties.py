"""Property tests for money: rounding, line arithmetic, and payments against balances."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faktura.core.errors import RuleViolation
from faktura.core.money import minor_units, round_money
from faktura.invoices import invoice_payments, services
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.sales.pricing import DiscountType, line_amounts, totals

CURRENCIES = st.sampled_from(["USD", "EUR", "NOK", "JPY", "KWD"])
quantities = st.decimals(min_value="0.0001", max_value="10000", places=4)
prices = st.decimals(min_value="0", max_value="100000", places=4)
rates = st.decimals(min_value="0", max_value="100", places=3)


@given(st.decimals(min_value="-1e9", max_value="1e9", places=6), CURRENCIES)
def test_rounding_keeps_currency_decimals_and_is_stable(amount, currency):  # SPEC INV-3
    rounded = round_money(amount, currency)
    assert isinstance(rounded, Decimal)
    assert -rounded.as_tuple().exponent == minor_units(currency)  # type: ignore[operator]
    assert abs(rounded - amount) <= Decimal(1).scaleb(-minor_units(currency)) / 2
    assert round_money(rounded, currency) == rounded


@given(
    st.lists(st.tuples(quantities, prices, rates, rates), min_size=1, max_size=8),
    CURRENCIES,
)
def test_lines_add_up_to_totals_exactly(lines, currency):  # SPEC INV-3
    computed = [
        line_amounts(
            quantity=q,
            unit_price=p,
            discount_type=DiscountType.PERCENT,
            discount_value=d,
            tax_rate=t,
            currency=currency,
        )
        for q, p, d, t in lines
    ]
    summed = totals(computed)
    assert summed.total == sum((line.total for line in computed), Decimal(0))
    assert summed.total == summed.subtotal - summed.discount + summed.tax
    for line in computed:
        for value in (line.amount, line.discount, line.tax):
            assert isinstance(value, Decimal)
            assert value == round_money(value, currency)
        assert Decimal(0) <= line.discount <= line.amount
        assert line.tax >= 0


# A sequence of steps on one 250.00 USD invoice: pay an amount (in cents) or delete a payment.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(min_value=-100, max_value=30000)),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=9)),
    ),
    min_size=1,
    max_size=10,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=steps)
def test_balance_never_negative_and_status_follows_when_paying_and_deleting(
    steps, make_invoice, system
):  # SPEC INV-3 SPEC INV-11 SPEC INV-13
    invoice = services.finalize_invoice(make_invoice(), actor=system)
    recorded = []
    for action, value in steps:
        if action == "pay":
            amount = Decimal(value) / 100
            try:
                recorded.append(
                    invoice_payments.record_invoice_payment(
                        invoice, actor=system, amount=str(amount)
                    )
                )
            except RuleViolation:
                # Refused only when the amount is not positive, exceeds the balance, or the
                # invoice is already paid; nothing else may refuse it.
                invoice.refresh_from_db()
                assert amount <= 0 or amount > invoice.balance_due
        elif recorded:
            invoice_payments.delete_payment(recorded.pop(value % len(recorded)), actor=system)
        invoice = Invoice.objects.get(pk=invoice.pk)
        paid = sum((p.amount for p in recorded), Decimal(0))
        assert invoice.amount_paid == paid
        assert invoice.balance_due == invoice.total - paid
        assert invoice.balance_due >= 0
        expected_status = InvoiceStatus.PAID if paid == invoice.total else InvoiceStatus.OPEN
        assert invoice.status == expected_status
        expected_state = (
            PaymentState.UNPAID
            if paid == 0
            else PaymentState.PAID
            if paid == invoice.total
            else PaymentState.PARTIALLY_PAID
        )
        assert invoice.payment_state == expected_state
