"""INV-9 end to end (PAY-3): saving an edit or voiding expires the open Stripe session; a payment
that still completes for a closed checkout is recorded unapplied, refunded in full
automatically, and the buyer page says why."""

from decimal import Decimal

import pytest

from faktura.history.models import Entry
from faktura.invoices import rules as invoice_rules
from faktura.invoices import services as invoices
from faktura.invoices.models import InvoicePayment, InvoiceStatus
from faktura.payments.models import Payment, PaymentStatus
from faktura.stripe_payments.checkout_sessions import session_for_invoice
from faktura.stripe_payments.models import (
    RefundStatus,
    SessionOutcome,
    SessionStatus,
    StripeCheckoutSession,
    StripeRefund,
)
from faktura.stripe_payments.tests.conftest import quiet, refunds_final
from tests.stripe import PaymentRefused

pytestmark = pytest.mark.django_db(transaction=True)
LINE = {"name": "Consulting hour", "unit_price": "100.00", "quantity": "3", "tax_rate": "25"}


def start(invoice):
    return session_for_invoice(invoice, buyer_url=f"http://buyer.test/i/{invoice.public_token}/")


def test_saving_an_edit_expires_the_stripe_session(
    stripe_sandbox, stripe_account, open_invoice, admin, editing_on
):
    # SPEC PAY-3
    session = start(open_invoice)
    invoices.update_invoice(open_invoice, actor=admin, lines=[LINE])
    session.refresh_from_db()
    assert session.status == SessionStatus.EXPIRED
    remote = stripe_sandbox.client(stripe_account).v1.checkout.sessions.retrieve(session.session_id)
    assert remote.status == "expired"
    with pytest.raises(PaymentRefused):
        stripe_sandbox.pay(session.session_id)
    expire = [r for r in stripe_sandbox.traffic(stripe_account) if r["path"].endswith("/expire")]
    assert [r["idempotency_key"] for r in expire] == [
        f"faktura-checkout-{session.checkout_id}-expire"
    ]  # SPEC PAY-7


def test_voiding_expires_the_stripe_session(stripe_sandbox, stripe_account, open_invoice, admin):
    # SPEC PAY-3
    session = start(open_invoice)
    invoices.void_invoice(open_invoice, actor=admin)
    session.refresh_from_db()
    assert session.status == SessionStatus.EXPIRED


def test_a_payment_completing_for_an_edited_invoice_is_refunded_and_the_buyer_told(
    stripe_sandbox, webhooks_on, open_invoice, admin, editing_on, client
):
    # SPEC PAY-3
    stripe_sandbox.delivery(hold=True)  # Stripe has the money; Faktura has not heard yet
    session = start(open_invoice)
    assert stripe_sandbox.pay(session.session_id)["outcome"] == "paid"
    invoices.update_invoice(open_invoice, actor=admin, lines=[LINE])
    # The expiry found the session paid: the payment was read back and refunded.
    session.refresh_from_db()
    assert session.outcome == SessionOutcome.REFUNDED
    payment = Payment.objects.get()
    assert not InvoicePayment.objects.filter(payment=payment).exists()
    refund = StripeRefund.objects.get()
    assert (refund.automatic, refund.amount) == (True, Decimal("250.00"))
    assert refund.idempotency_key == f"faktura-refund-{payment.processor_payment_id}"
    refunds_final(stripe_sandbox, webhooks_on, str(payment.processor_payment_id))
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, Decimal(250))
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.OPEN
    assert open_invoice.balance_due == Decimal("375.00")
    assert Entry.objects.filter(event_type="invoice.online_payment_refunded").count() == 1
    page = client.get(f"/i/{open_invoice.public_token}/").content.decode()
    assert 'data-payment-state="refunded"' in page
    assert "The invoice changed while you were paying; your payment of 250.00" in page
    assert 'data-action="pay"' in page  # Pay the current amount
    assert Payment.objects.count() == 1


def test_an_online_payment_makes_the_invoice_unvoidable(
    stripe_sandbox, webhooks_on, open_invoice, admin, paid_by_card
):
    # SPEC PAY-5, INV-23
    paid_by_card(open_invoice)
    quiet(stripe_sandbox, webhooks_on)
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.PAID
    decision = invoice_rules.can_void(open_invoice, admin)
    assert not decision
    assert "received an online payment and cannot be voided" in decision.reason
    assert StripeCheckoutSession.objects.get().outcome == SessionOutcome.PAID
