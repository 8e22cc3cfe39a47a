"""Races on PostgreSQL with real threads: numbering (INV-22), edit vs. payment (INV-9), and
payments racing for one balance (INV-11).

Each worker thread gets its own database connection and closes it when done; the tests run
in transaction=True mode so the threads see the rows the test thread committed.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.invoices import checkout, invoice_payments, services
from faktura.invoices.models import (
    Checkout,
    CheckoutStatus,
    Invoice,
    InvoiceNumberCounter,
    InvoicePayment,
    InvoiceStatus,
    PaymentState,
)
from faktura.payments import services as payment_services
from faktura.payments.models import Payment
from tests.threads import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]

BUYER, STRIPE = Actor.system("buyer"), Actor.integration("stripe")


def after(delay: float, work: Callable[[], object]) -> Callable[[], object]:
    def delayed() -> object:
        time.sleep(delay)
        return work()

    return delayed


def refused(result: object) -> bool:
    assert not isinstance(result, Exception) or isinstance(result, RuleViolation), result
    return isinstance(result, RuleViolation)


# --- INV-22: numbers ------------------------------------------------------------------------


def test_numbers_unique_and_gapless_when_200_invoices_finalize_at_once(make_invoice, system):
    # SPEC INV-22
    drafts = [make_invoice() for _ in range(200)]
    threads = 16
    start = threading.Barrier(threads)

    def finalize_share(share: list[Invoice]) -> list[int | None]:
        try:
            start.wait(timeout=30)
            return [services.finalize_invoice(d, actor=system).number_seq for d in share]
        finally:
            connection.close()  # each thread closes its own connection when done

    with ThreadPoolExecutor(max_workers=threads) as pool:
        shares = [drafts[i::threads] for i in range(threads)]
        handed_out = [n for numbers in pool.map(finalize_share, shares) for n in numbers]

    assert None not in handed_out
    assert sorted(n or 0 for n in handed_out) == list(range(1, 201))
    stored = list(Invoice.objects.values_list("number_seq", "number", "status"))
    assert sorted(seq or 0 for seq, _, _ in stored) == list(range(1, 201))
    assert {number for _, number, _ in stored} == {f"INV-{n}" for n in range(1, 201)}
    assert {status for _, _, status in stored} == {InvoiceStatus.OPEN}
    assert InvoiceNumberCounter.objects.get().last_number == 200


# --- INV-9: an edit and the buyer's payment never both win ----------------------------------

# (edit delay, payment delay) in seconds after the barrier, taken in turn.
DELAYS = [(0.0, 0.0), (0.0, 0.02), (0.0, 0.002), (0.02, 0.0), (0.002, 0.0)]


def test_edit_and_checkout_completion_never_both_win_when_racing(make_invoice, system, account):
    # SPEC INV-9
    account(allow_editing_finalized_invoices=True)
    wins = {"edit": 0, "payment": 0}
    for round_number in range(50):
        invoice = make_invoice(finalized=True)
        started = checkout.start_checkout(invoice, actor=BUYER)
        old_due = invoice.due_date
        new_due = old_due + dt.timedelta(days=10)
        processor_id = f"pi_race_{round_number}"
        # Both start at once, or one waits a moment after the barrier: the 20 ms rounds make
        # sure both orders happen, the others make the two overlap inside the database.
        edit_delay, pay_delay = DELAYS[round_number % len(DELAYS)]

        def edit(invoice: Invoice = invoice, new_due: dt.date = new_due) -> object:
            return services.update_invoice(invoice, actor=system, values={"hs_due_date": new_due})

        def pay(token: str = started.token, processor_id: str = processor_id) -> object:
            return checkout.complete_checkout(
                token, actor=STRIPE, processor_payment_id=processor_id, amount="250.00"
            )

        edit_result, pay_result = at_once(after(edit_delay, edit), after(pay_delay, pay))

        outcome = [refused(edit_result), refused(pay_result)]
        assert outcome.count(True) == 1, f"round {round_number}: {edit_result!r} {pay_result!r}"
        invoice.refresh_from_db()
        started.refresh_from_db()
        if outcome == [False, True]:  # the edit won
            wins["edit"] += 1
            assert isinstance(pay_result, RuleViolation)
            assert pay_result.code == "checkout_closed"
            assert started.status == CheckoutStatus.CANCELLED
            assert started.payment is None
            assert (invoice.due_date, invoice.status) == (new_due, InvoiceStatus.OPEN)
            assert invoice.amount_paid == 0
            assert not Payment.objects.filter(processor_payment_id=processor_id).exists()
        else:  # the payment won
            wins["payment"] += 1
            assert isinstance(edit_result, RuleViolation)
            assert edit_result.code == "has_payments"
            assert started.status == CheckoutStatus.COMPLETED
            assert started.payment is not None
            assert started.payment.processor_payment_id == processor_id
            assert (invoice.status, invoice.balance_due) == (InvoiceStatus.PAID, Decimal(0))
            assert invoice.due_date == old_due
        assert not Checkout.objects.filter(invoice=invoice, status=CheckoutStatus.OPEN).exists()
    # Both orders happened, so both refusal paths were exercised under real contention.
    assert wins["edit"] > 0
    assert wins["payment"] > 0


# --- INV-11: payments racing for one balance ------------------------------------------------


def test_second_payment_refused_when_two_race_for_the_same_balance(make_invoice, editor):
    # SPEC INV-11
    for _ in range(10):
        invoice = make_invoice(finalized=True)

        def pay(invoice: Invoice = invoice) -> object:
            return invoice_payments.record_invoice_payment(invoice, actor=editor, amount="200.00")

        results = at_once(pay, pay)
        assert [refused(r) for r in results].count(True) == 1, results
        loser = next(r for r in results if isinstance(r, RuleViolation))
        assert loser.code == "overpayment"
        assert "balance due of 50.00 USD" in loser.reason
        invoice.refresh_from_db()
        assert (invoice.amount_paid, invoice.balance_due) == (Decimal(200), Decimal(50))
        assert invoice.applied_payments.count() == 1


def test_no_payment_lost_when_two_partial_payments_at_once(make_invoice, editor):
    # SPEC INV-11 SPEC INV-3
    for _ in range(10):
        invoice = make_invoice(finalized=True)

        def pay(invoice: Invoice = invoice) -> object:
            return invoice_payments.record_invoice_payment(invoice, actor=editor, amount="125.00")

        results = at_once(pay, pay)
        assert not any(refused(r) for r in results), results
        invoice.refresh_from_db()
        assert (invoice.status, invoice.payment_state) == (InvoiceStatus.PAID, PaymentState.PAID)
        assert (invoice.amount_paid, invoice.balance_due) == (Decimal(250), Decimal(0))
        assert invoice.applied_payments.count() == 2


def test_existing_payment_lands_on_one_invoice_when_applied_to_two_at_once(
    make_invoice, editor, system
):  # SPEC INV-11
    for _ in range(10):
        first, second = make_invoice(finalized=True), make_invoice(finalized=True)
        wire = payment_services.create_manual_payment(actor=system, amount="80.00", currency="USD")

        def apply_to(invoice: Invoice, wire: Payment = wire) -> Callable[[], object]:
            return lambda: invoice_payments.apply_payment_to_invoice(invoice, wire, actor=editor)

        results = at_once(apply_to(first), apply_to(second))
        assert [refused(r) for r in results].count(True) == 1, results
        loser = next(r for r in results if isinstance(r, RuleViolation))
        assert loser.code == "already_applied"
        assert InvoicePayment.objects.filter(payment=wire).count() == 1
        paid = sorted(
            Invoice.objects.filter(pk__in=[first.pk, second.pk]).values_list(
                "amount_paid", flat=True
            )
        )
        assert paid == [Decimal(0), Decimal(80)]
