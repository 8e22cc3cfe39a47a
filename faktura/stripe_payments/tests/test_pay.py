"""Paying an invoice through Stripe (PAY-1, PAY-2, PAY-4, PAY-7): the buyer pays on the hosted
page, the signed webhook records exactly one payment with Stripe's fee, the receipt goes once."""

from decimal import Decimal

import pytest

from faktura.emails.models import EmailKind, OutboundEmail
from faktura.invoices.models import InvoiceStatus
from faktura.payments.models import Payment, PaymentStatus
from faktura.stripe_payments.models import EventStatus, SessionOutcome, WebhookEvent
from faktura.stripe_payments.tests.conftest import quiet

pytestmark = pytest.mark.django_db(transaction=True)


def wait_paid(stripe_sandbox, account, invoice):
    quiet(stripe_sandbox, account)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_pay_records_one_payment_with_stripes_fee_and_sends_one_receipt(
    stripe_sandbox, webhooks_on, open_invoice, paid_by_card, sender, smtp_server
):
    # SPEC PAY-1, PAY-2, PAY-4
    session, result = paid_by_card(open_invoice)
    assert result["outcome"] == "paid"
    wait_paid(stripe_sandbox, webhooks_on, open_invoice)
    payment = Payment.objects.get()
    # 2.9 % of 250.00 is 7.25, plus 0.30.
    assert (payment.amount, payment.fees_amount) == (Decimal("250.00"), Decimal("7.55"))
    assert str(payment.processor_payment_id).startswith("pi_")
    assert payment.status == PaymentStatus.SUCCEEDED
    session.refresh_from_db()
    assert (session.outcome, session.payment) == (SessionOutcome.PAID, payment)
    # Every event of the payment arrived; each was applied or ignored, none made a second one.
    assert WebhookEvent.objects.count() >= 3
    assert not WebhookEvent.objects.filter(status=EventStatus.RECEIVED).exists()
    assert Payment.objects.count() == 1
    stripe_sandbox.wait_for(lambda: smtp_server.messages, what="the receipt email")
    assert OutboundEmail.objects.filter(kind=EmailKind.RECEIPT).count() == 1
    [receipt] = smtp_server.messages
    assert "Receipt" in receipt["Subject"]


def test_every_stripe_post_carries_a_derived_idempotency_key(
    stripe_sandbox, webhooks_on, open_invoice, paid_by_card
):
    # SPEC PAY-7
    session, _result = paid_by_card(open_invoice)
    wait_paid(stripe_sandbox, webhooks_on, open_invoice)
    posts = [r for r in stripe_sandbox.traffic(webhooks_on) if r["method"] == "POST"]
    keys = [r["idempotency_key"] for r in posts]
    assert keys
    assert all(k and k.startswith("faktura-") for k in keys)
    assert f"faktura-checkout-{session.checkout_id}-session" in keys


def test_duplicated_and_reordered_webhooks_make_one_payment(
    stripe_sandbox, webhooks_on, open_invoice, paid_by_card, sender, smtp_server
):
    # SPEC PAY-2, PAY-4
    stripe_sandbox.delivery(duplicate=3, reverse=True, hold=True)
    paid_by_card(open_invoice)
    assert stripe_sandbox.release() >= 9  # three events, three times each, newest first
    wait_paid(stripe_sandbox, webhooks_on, open_invoice)
    assert WebhookEvent.objects.filter(deliveries=3).count() >= 3
    assert not WebhookEvent.objects.filter(status=EventStatus.RECEIVED).exists()
    assert Payment.objects.count() == 1
    assert WebhookEvent.objects.filter(status=EventStatus.FAILED).count() == 0
    stripe_sandbox.wait_for(lambda: smtp_server.messages, what="the receipt email")
    assert OutboundEmail.objects.filter(kind=EmailKind.RECEIPT).count() == 1
    assert len(smtp_server.messages) == 1


def test_a_late_webhook_is_read_back_when_the_buyer_returns(
    stripe_sandbox, webhooks_on, open_invoice, paid_by_card, client
):
    # SPEC PAY-2
    stripe_sandbox.delivery(hold=True)
    session, result = paid_by_card(open_invoice)
    assert "session_id=" + session.session_id in result["redirect"]
    page = client.get(
        f"/i/{open_invoice.public_token}/?checkout=return&session_id={session.session_id}"
    )
    text = page.content.decode()
    assert 'data-payment-state="paid"' in text
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.PAID
    stripe_sandbox.release()
    quiet(stripe_sandbox, webhooks_on)
    assert WebhookEvent.objects.count() >= 3
    assert not WebhookEvent.objects.filter(status=EventStatus.RECEIVED).exists()
    assert Payment.objects.count() == 1


def test_a_declined_card_records_nothing_and_the_buyer_may_try_again(
    stripe_sandbox, webhooks_on, open_invoice, paid_by_card, client
):
    # SPEC PAY-1, PAY-2
    session, result = paid_by_card(open_invoice, card="4000000000000002")
    assert result["outcome"] == "declined"
    quiet(stripe_sandbox, webhooks_on)
    assert WebhookEvent.objects.filter(
        type="payment_intent.payment_failed", status=EventStatus.APPLIED
    ).exists()
    assert not Payment.objects.exists()
    page = client.get(f"/i/{open_invoice.public_token}/").content.decode()
    assert 'data-payment-state="failed"' in page
    assert "declined" in page
    assert 'data-action="pay"' in page
    # Trying again reuses the open session; a good card pays it.
    assert stripe_sandbox.pay(session.session_id)["outcome"] == "paid"
    wait_paid(stripe_sandbox, webhooks_on, open_invoice)
    assert Payment.objects.count() == 1
