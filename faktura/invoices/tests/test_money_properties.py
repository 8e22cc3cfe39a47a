"""Property tests for money (ADR 0001): rounding, line arithmetic, payments against balances.

DB-backed properties run each example inside a transaction that is rolled back, so every
example starts from the same database as the first.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.money import CURRENCIES, MAX_AMOUNT, minor_units, round_money
from faktura.invoices import invoice_payments
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.payments import services as payment_services
from faktura.payments.models import Payment
from faktura.sales.pricing import DiscountType, LineAmounts, line_amounts, totals

ALL_CURRENCIES = st.sampled_from(sorted(CURRENCIES))
# One currency for each number of minor units: 2, 0, 3.
SAMPLE_CURRENCIES = st.sampled_from(["USD", "EUR", "NOK", "JPY", "KWD"])
quantities = st.decimals(min_value="0.0001", max_value="10000", places=4)
prices = st.decimals(min_value="0", max_value="100000", places=4)
percents = st.decimals(min_value="0", max_value="100", places=3)
fixed_discounts = st.decimals(min_value="0", max_value="100000", places=4)

DB_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def has_currency_decimals(value: Decimal, currency: str) -> bool:
    return type(value) is Decimal and value.as_tuple().exponent == -minor_units(currency)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- core.money.round_money ------------------------------------------------------------------


@given(st.decimals(min_value="-1e12", max_value="1e12", places=6), ALL_CURRENCIES)
def test_rounding_keeps_currency_decimals_and_is_stable(amount, currency):  # SPEC INV-3
    rounded = round_money(amount, currency)
    assert has_currency_decimals(rounded, currency)
    assert abs(rounded - amount) <= unit(currency) / 2
    assert round_money(rounded, currency) == rounded
    # Half away from zero is symmetric: a credit rounds like the matching debit.
    assert round_money(-amount, currency) == -rounded


@given(st.integers(min_value=-(10**14), max_value=10**14), ALL_CURRENCIES)
def test_rounding_changes_nothing_when_amount_is_already_in_minor_units(units, currency):
    # SPEC INV-3
    amount = Decimal(units).scaleb(-minor_units(currency))
    assert round_money(amount, currency) == amount


@given(st.integers(min_value=0, max_value=10**9), SAMPLE_CURRENCIES)
def test_rounding_goes_away_from_zero_when_exactly_half_a_minor_unit(units, currency):
    # SPEC INV-3
    half = (Decimal(units) + Decimal("0.5")) * unit(currency)
    assert round_money(half, currency) == (units + 1) * unit(currency)
    assert round_money(-half, currency) == -(units + 1) * unit(currency)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("-0.005", "USD", "-0.01"),
        ("0.004999", "USD", "0.00"),
        ("2.675", "EUR", "2.68"),
        ("10", "NOK", "10.00"),
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("1000.4999", "JPY", "1000"),
        ("1.0005", "KWD", "1.001"),
        ("1.00049", "KWD", "1.000"),
    ],
)
def test_rounding_matches_paper_when_given_known_amounts(amount, currency, expected):
    # SPEC INV-3
    rounded = round_money(Decimal(amount), currency)
    assert str(rounded) == expected


# --- sales.pricing.line_amounts / totals -----------------------------------------------------


def discount_input(draw_type: str, percent: Decimal, fixed: Decimal) -> Decimal:
    return percent if draw_type == DiscountType.PERCENT else fixed


lines = st.lists(
    st.tuples(
        quantities, prices, st.sampled_from(list(DiscountType)), percents, fixed_discounts, percents
    ),
    min_size=1,
    max_size=8,
)


def compute(line: tuple, currency: str) -> LineAmounts | None:
    """line_amounts for a generated line; None when it refuses a too-large fixed discount."""
    quantity, price, discount_type, percent, fixed, tax_rate = line
    compute_line = partial(
        line_amounts,
        quantity=quantity,
        unit_price=price,
        discount_type=discount_type,
        discount_value=discount_input(discount_type, percent, fixed),
        tax_rate=tax_rate,
        currency=currency,
    )
    too_large = round_money(fixed, currency) > round_money(quantity * price, currency)
    if discount_type == DiscountType.FIXED and too_large:
        with pytest.raises(RuleViolation, match="larger than the line amount"):
            compute_line()
        return None
    return compute_line()


@given(lines, SAMPLE_CURRENCIES)
def test_each_line_is_rounded_and_consistent_when_computed(generated, currency):  # SPEC INV-3
    for line in generated:
        result = compute(line, currency)
        if result is None:
            continue
        quantity, price, discount_type, percent, _fixed, tax_rate = line
        for value in (result.amount, result.discount, result.tax, result.net, result.total):
            assert has_currency_decimals(value, currency)  # a Decimal, never a float
        # ADR 0001: amount = round(q × p); discount first; then tax on the discounted amount.
        assert result.amount == round_money(quantity * price, currency)
        assert Decimal(0) <= result.discount <= result.amount
        assert result.tax == round_money(result.net * tax_rate / 100, currency)
        assert Decimal(0) <= result.tax <= result.net
        assert result.total == result.amount - result.discount + result.tax
        if discount_type == DiscountType.PERCENT and percent == 100:
            assert result.net == 0
            assert result.total == 0


@given(lines, SAMPLE_CURRENCIES)
def test_lines_add_up_to_totals_exactly_when_summed(generated, currency):  # SPEC INV-3
    computed = [r for r in (compute(line, currency) for line in generated) if r is not None]
    summed = totals(computed)
    for value in (summed.subtotal, summed.discount, summed.tax, summed.total):
        assert type(value) is Decimal
        assert value == round_money(value, currency)
    assert summed.subtotal == sum((line.amount for line in computed), Decimal(0))
    assert summed.discount == sum((line.discount for line in computed), Decimal(0))
    assert summed.tax == sum((line.tax for line in computed), Decimal(0))
    assert summed.total == summed.subtotal - summed.discount + summed.tax
    assert summed.total == sum((line.total for line in computed), Decimal(0))
    assert totals(reversed(computed)) == summed  # the order of the lines does not matter


def test_totals_are_zero_decimals_when_document_has_no_lines():  # SPEC INV-3
    empty = totals([])
    assert (empty.subtotal, empty.discount, empty.tax, empty.total) == (0, 0, 0, 0)
    assert type(empty.total) is Decimal


@pytest.mark.django_db
@DB_SETTINGS
@given(generated=lines, currency=SAMPLE_CURRENCIES)
def test_stored_invoice_totals_equal_the_sum_of_its_stored_lines_when_created(
    generated, currency, make_invoice
):  # SPEC INV-3
    raw = [
        {
            "name": f"Line {i}",
            "quantity": str(quantity),
            "unit_price": str(price),
            "discount_type": str(discount_type),
            "discount_value": str(discount_input(discount_type, percent, fixed)),
            "tax_rate": str(tax_rate),
        }
        for i, (quantity, price, discount_type, percent, fixed, tax_rate) in enumerate(generated)
    ]
    expected = [compute(line, currency) for line in generated]
    with rolled_back():
        event("refused" if any(r is None for r in expected) else "created")
        if any(r is None for r in expected):
            count = Invoice.objects.count()
            with pytest.raises(RuleViolation, match="larger than the line amount"):
                make_invoice(lines=raw, values={"hs_currency": currency})
            assert Invoice.objects.count() == count
            return
        created = make_invoice(lines=raw, values={"hs_currency": currency})
        invoice = Invoice.objects.get(pk=created.pk)
        stored = list(invoice.lines.order_by("position"))
        assert [(s.amount, s.discount_amount, s.tax_amount, s.total) for s in stored] == [
            (e.amount, e.discount, e.tax, e.total) for e in expected if e is not None
        ]
        summed = totals(e for e in expected if e is not None)
        assert (invoice.subtotal, invoice.total_discount, invoice.total_tax, invoice.total) == (
            summed.subtotal,
            summed.discount,
            summed.tax,
            summed.total,
        )
        assert invoice.subtotal == sum((s.amount for s in stored), Decimal(0))
        assert invoice.total_discount == sum((s.discount_amount for s in stored), Decimal(0))
        assert invoice.total_tax == sum((s.tax_amount for s in stored), Decimal(0))
        assert invoice.total == sum((s.total for s in stored), Decimal(0))
        assert invoice.total == invoice.subtotal - invoice.total_discount + invoice.total_tax
        assert invoice.balance_due == invoice.total
        for value in (invoice.total, invoice.balance_due, invoice.amount_paid):
            assert type(value) is Decimal


def test_line_refused_with_a_reason_when_its_amount_does_not_fit_the_columns(make_invoice):
    # SPEC INV-3
    huge = {"name": "Bulk", "quantity": "1000000", "unit_price": "1000000000"}
    assert Decimal(huge["quantity"]) <= MAX_AMOUNT
    assert Decimal(huge["unit_price"]) <= MAX_AMOUNT
    with pytest.raises(RuleViolation, match="is too large") as refused:
        make_invoice(lines=[huge])
    assert refused.value.code == "invalid_amount"
    assert not Invoice.objects.exists()


def test_invoice_refused_with_a_reason_when_its_total_does_not_fit_the_columns(make_invoice):
    # SPEC INV-3: each line fits, their sum does not
    big = {"name": "Ship", "quantity": "1", "unit_price": "600000000000"}
    with pytest.raises(RuleViolation, match="total .* is too large") as refused:
        make_invoice(lines=[big, big])
    assert refused.value.code == "invalid_amount"
    assert not Invoice.objects.exists()


# --- payments against the balance (INV-11, INV-13) -------------------------------------------


@st.composite
def payment_scenarios(draw: st.DrawFn) -> tuple[str, list[tuple]]:
    """A currency and a sequence of steps on a 250 invoice in it.

    ("record", amount) records a new manual payment; ("apply", amount) creates a payment first
    and applies it; ("delete", index) deletes one of the applied payments.
    """
    currency = draw(st.sampled_from(["USD", "JPY", "KWD"]))
    total_units = 250 * 10 ** minor_units(currency)
    amounts = st.builds(
        lambda units, extra: (
            Decimal(units).scaleb(-minor_units(currency))
            + Decimal(extra).scaleb(-minor_units(currency) - 1)
        ),
        # Mostly partial amounts; sometimes zero, negative, the whole balance or more.
        st.one_of(
            st.integers(min_value=1, max_value=total_units // 3),
            st.integers(min_value=-2, max_value=total_units + 2),
            st.just(total_units),
        ),
        st.sampled_from([0, 0, 0, 0, 0, 0, 0, 5]),  # now and then a digit too many
    )
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.sampled_from(["record", "apply"]), amounts),
                st.tuples(st.just("delete"), st.integers(min_value=0, max_value=9)),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return currency, steps


def pay(invoice: Invoice, action: str, amount: Decimal, actor: Actor) -> Payment:
    """Record a new payment, or create one and apply it (the two ways of INV-11)."""
    if action == "record":
        return invoice_payments.record_invoice_payment(invoice, actor=actor, amount=str(amount))
    payment = payment_services.create_manual_payment(
        actor=actor, amount=str(amount), currency=invoice.currency
    )
    invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)
    return payment


def expected_refusal(amount: Decimal, currency: str, balance: Decimal) -> str | None:
    """The code a payment of `amount` must be refused with, or None when it must succeed."""
    if balance <= 0:
        return "invalid_state"
    if amount != round_money(amount, currency) or amount <= 0:
        return "invalid_amount"
    if amount > balance:
        return "overpayment"
    return None


@pytest.mark.django_db
@DB_SETTINGS
@given(scenario=payment_scenarios())
def test_balance_never_negative_and_status_follows_when_paying_and_deleting(
    scenario, make_invoice, system
):  # SPEC INV-3 SPEC INV-11 SPEC INV-13
    currency, steps = scenario
    with rolled_back():
        invoice = make_invoice(finalized=True, values={"hs_currency": currency})
        total = invoice.total
        assert total == 250
        applied: list[Payment] = []
        for action, value in steps:
            balance = total - sum((p.amount for p in applied), Decimal(0))
            if action == "delete":
                if applied:
                    invoice_payments.delete_payment(applied.pop(value % len(applied)), actor=system)
                continue
            if action == "apply" and expected_refusal(value, currency, MAX_AMOUNT):
                continue  # such a payment cannot even be created on its own
            refusal = expected_refusal(value, currency, balance)
            if refusal is None:
                applied.append(pay(invoice, action, value, system))
                event(f"{action} accepted")
            else:
                with pytest.raises(RuleViolation) as refused:
                    pay(invoice, action, value, system)
                assert refused.value.code == refusal, (action, value, balance)
                event(f"refused {refusal}")

            invoice = Invoice.objects.get(pk=invoice.pk)
            paid = sum((p.amount for p in applied), Decimal(0))
            stored = [a.payment.amount for a in invoice.applied_payments.all()]
            assert sorted(stored) == sorted(p.amount for p in applied)
            assert invoice.amount_paid == paid == sum(stored, Decimal(0))
            assert invoice.balance_due == total - paid
            assert invoice.balance_due >= 0
            assert invoice.amount_paid == round_money(invoice.amount_paid, currency)
            event(f"reached {invoice.payment_state}")
            if paid == total:
                assert (invoice.status, invoice.payment_state) == (
                    InvoiceStatus.PAID,
                    PaymentState.PAID,
                )
                assert invoice.paid_at is not None
            else:
                assert invoice.status == InvoiceStatus.OPEN
                assert invoice.paid_at is None
                assert invoice.payment_state == (
                    PaymentState.UNPAID if paid == 0 else PaymentState.PARTIALLY_PAID
                )
