"""INV-9 end to end under real contention (PAY-3), on PostgreSQL with threads: a buyer's Stripe
payment being applied races an edit of the invoice. Never both: either the edit is saved and
the payment refunded in full, or the payment is applied and the edit refused."""

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from faktura.core.errors import RuleViolation
from faktura.invoices import services as invoices
from faktura.invoices.models import InvoicePayment, InvoiceStatus
from faktura.payments.models import Payment
from faktura.stripe_payments.checkout_sessions import session_for_invoice, settle_session
from faktura.stripe_payments.models import SessionOutcome, StripeCheckoutSession, StripeRefund
from tests.threads import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: run bin/test, which starts one"
    ),
]
ROUNDS = 24
DELAYS = [(0.0, 0.0), (0.0, 0.02), (0.0, 0.002), (0.02, 0.0), (0.002, 0.0)]


def after(delay: float, work: Callable[[], object]) -> Callable[[], object]:
    def delayed() -> object:
        time.sleep(delay)
        return work()

    return delayed


def test_a_stripe_payment_racing_an_edit_never_both_wins(
    stripe_sandbox, stripe_account, make_invoice, system, account
):
    # SPEC PAY-3, INV-9
    account(allow_editing_finalized_invoices=True)
    wins = {"edit": 0, "payment": 0}
    for round_number in range(ROUNDS):
        invoice = make_invoice(finalized=True)
        session = session_for_invoice(invoice, buyer_url=f"http://buyer.test/{round_number}/")
        assert stripe_sandbox.pay(session.session_id)["outcome"] == "paid"  # Stripe has it
        new_due = invoice.due_date + dt.timedelta(days=10)
        edit_delay, pay_delay = DELAYS[round_number % len(DELAYS)]

        def edit(invoice=invoice, new_due=new_due) -> object:
            return invoices.update_invoice(invoice, actor=system, values={"hs_due_date": new_due})

        def apply(session_id: str = session.session_id) -> object:
            return settle_session(session_id)

        edit_result, pay_result = at_once(after(edit_delay, edit), after(pay_delay, apply))
        assert not isinstance(pay_result, Exception), pay_result
        assert not isinstance(edit_result, Exception) or isinstance(edit_result, RuleViolation)
        invoice.refresh_from_db()
        row = StripeCheckoutSession.objects.get(pk=session.pk)
        payment = Payment.objects.get(processor_payment_id=row.payment_intent_id)
        applied = InvoicePayment.objects.filter(payment=payment).exists()
        edit_saved = invoice.due_date == new_due
        assert edit_saved != applied, f"round {round_number}: {edit_result!r} {row.outcome}"
        if edit_saved:
            wins["edit"] += 1
            assert row.outcome == SessionOutcome.REFUNDED
            refund = StripeRefund.objects.get(payment=payment)
            assert (refund.automatic, refund.amount) == (True, Decimal("250.00"))
            assert invoice.status == InvoiceStatus.OPEN
        else:
            wins["payment"] += 1
            assert isinstance(edit_result, RuleViolation)
            assert row.outcome == SessionOutcome.PAID
            assert invoice.status == InvoiceStatus.PAID
            assert not StripeRefund.objects.filter(payment=payment).exists()
    assert wins["edit"] > 0
    assert wins["payment"] > 0


def test_the_same_payment_applied_by_many_at_once_is_recorded_once(
    stripe_sandbox, stripe_account, make_invoice
):
    # SPEC PAY-2: events delivered in parallel, a buyer returning, all reading the session back
    for _round in range(8):
        invoice = make_invoice(finalized=True)
        session = session_for_invoice(invoice, buyer_url="http://buyer.test/")
        assert stripe_sandbox.pay(session.session_id)["outcome"] == "paid"
        results = at_once(*[lambda s=session.session_id: settle_session(s) for _ in range(6)])
        assert not any(isinstance(r, Exception) for r in results), results
        row = StripeCheckoutSession.objects.get(pk=session.pk)
        assert row.outcome == SessionOutcome.PAID
        assert Payment.objects.filter(processor_payment_id=row.payment_intent_id).count() == 1
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID
        assert InvoicePayment.objects.filter(invoice=invoice).count() == 1
