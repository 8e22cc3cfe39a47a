"""Refunds from the payment's page (PAY-5): full or partial, rule-checked, a row first, then
Stripe with `faktura-refund-<pk>`; the state follows Stripe's events; only a succeeded refund
is recorded, once; `payment.refunded` only when refunded in full."""

from decimal import Decimal

import pytest

from faktura.core.errors import RuleViolation
from faktura.emails.models import OutboundEmail
from faktura.history.models import Entry
from faktura.invoices.models import InvoiceStatus
from faktura.payments import services as payment_services
from faktura.payments.models import Payment, PaymentStatus
from faktura.stripe_payments import refunds
from faktura.stripe_payments.models import RefundStatus, StripeRefund
from faktura.stripe_payments.tests.conftest import quiet, refunds_final

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid(stripe_sandbox, webhooks_on, open_invoice, paid_by_card, request):
    card = getattr(request, "param", "4242424242424242")
    paid_by_card(open_invoice, card=card)
    quiet(stripe_sandbox, webhooks_on)
    open_invoice.refresh_from_db()
    assert open_invoice.status == InvoiceStatus.PAID
    return Payment.objects.get()


def wait_status(stripe_sandbox, account, refund, status):
    refunds_final(stripe_sandbox, account, str(refund.payment.processor_payment_id))
    refund.refresh_from_db()
    assert refund.status == status


def refund_events(payment):
    return list(
        Entry.objects.filter(
            object_type="payment",
            object_id=payment.pk,
            event_type__in=["payment.refunded", "payment.partially_refunded"],
        )
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def test_a_partial_then_the_rest_follow_stripe(
    stripe_sandbox, webhooks_on, paid, editor, open_invoice, sender
):
    # SPEC PAY-5, PAY-7
    stripe_sandbox.delivery(hold=True)  # events wait while this test uses the database
    first = refunds.request_refund(paid, amount="100.00", reason="One hour not used", actor=editor)
    first.refresh_from_db()
    assert first.status == RefundStatus.PENDING  # Stripe's answer: pending for a moment
    paid.refresh_from_db()
    assert paid.refunded_amount == 0  # nothing recorded before Stripe says succeeded
    wait_status(stripe_sandbox, webhooks_on, first, RefundStatus.SUCCEEDED)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, Decimal(100))
    open_invoice.refresh_from_db()
    assert open_invoice.balance_due == Decimal("100.00")
    assert refund_events(paid) == ["payment.partially_refunded"]

    stripe_sandbox.delivery(hold=True)
    rest = refunds.request_refund(paid, amount="150.00", reason="Cancelled", actor=editor)
    wait_status(stripe_sandbox, webhooks_on, rest, RefundStatus.SUCCEEDED)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (PaymentStatus.REFUNDED, Decimal(250))
    assert refund_events(paid) == ["payment.partially_refunded", "payment.refunded"]
    traffic = stripe_sandbox.traffic(webhooks_on)
    posts = [r for r in traffic if r["path"] == "/v1/refunds" and r["method"] == "POST"]
    assert [r["idempotency_key"] for r in posts] == [
        f"faktura-refund-{first.pk}",
        f"faktura-refund-{rest.pk}",
    ]
    # The buyer was told each time, with the reason.
    notices = OutboundEmail.objects.filter(subject__startswith="Your payment was refunded")
    [first_notice, _second_notice] = notices.order_by("id")
    assert "One hour not used" in first_notice.text_body
    # Stripe's many refund events change nothing more: each refund was recorded once.
    assert StripeRefund.objects.filter(recorded=True).count() == 2


@pytest.mark.parametrize(
    ("amount", "phrase"),
    [
        ("250.01", "at most 250.00 USD"),
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("1.001", "more decimals than USD allows"),
    ],
)
def test_a_refund_over_what_is_left_is_refused(paid, editor, amount, phrase):
    # SPEC PAY-5
    with pytest.raises(RuleViolation, match=phrase):
        refunds.request_refund(paid, amount=amount, reason="", actor=editor)
    assert not StripeRefund.objects.exists()


def test_pending_refunds_hold_their_amount(stripe_sandbox, webhooks_on, paid, editor):
    # SPEC PAY-5
    stripe_sandbox.delivery(hold=True)
    refunds.request_refund(paid, amount="200.00", reason="", actor=editor)
    with pytest.raises(RuleViolation, match="at most 50.00 USD"):
        refunds.request_refund(paid, amount="60.00", reason="", actor=editor)
    refunds_final(stripe_sandbox, webhooks_on, str(paid.processor_payment_id))


def test_a_viewer_cannot_refund(paid, viewer):
    # SPEC PAY-5
    with pytest.raises(RuleViolation, match="Only editors and super admins"):
        refunds.request_refund(paid, amount="1.00", reason="", actor=viewer)


def test_a_manual_payment_is_not_refunded_through_stripe(stripe_account, editor):
    # SPEC PAY-5
    manual = payment_services.create_manual_payment(actor=editor, amount="20.00", currency="USD")
    with pytest.raises(RuleViolation, match="recorded manually"):
        refunds.request_refund(manual, amount="20.00", reason="", actor=editor)


def test_no_refund_without_stripe_connected(paid, editor, settings):
    # SPEC PAY-5
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(RuleViolation, match="Stripe is not connected"):
        refunds.request_refund(paid, amount="1.00", reason="", actor=editor)


@pytest.mark.parametrize("paid", ["4000000000005126"], indirect=True)
def test_a_refund_stripe_fails_is_never_recorded(stripe_sandbox, webhooks_on, paid, editor):
    # SPEC PAY-5
    stripe_sandbox.delivery(hold=True)
    refund = refunds.request_refund(paid, amount="250.00", reason="Duplicate", actor=editor)
    wait_status(stripe_sandbox, webhooks_on, refund, RefundStatus.FAILED)
    assert "expired_or_canceled_card" in refund.message
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (PaymentStatus.SUCCEEDED, Decimal(0))
    assert refund_events(paid) == []
    # Its amount is free again.
    assert refunds.rules.refundable(paid) == Decimal("250.00")


def test_a_refund_made_in_stripes_dashboard_is_picked_up(stripe_sandbox, webhooks_on, paid):
    # SPEC PAY-5
    stripe_sandbox.delivery(hold=True)
    client = stripe_sandbox.client(webhooks_on)
    client.v1.refunds.create({"payment_intent": paid.processor_payment_id, "amount": 5000})
    refunds_final(stripe_sandbox, webhooks_on, str(paid.processor_payment_id))
    assert StripeRefund.objects.filter(
        from_dashboard=True, status=RefundStatus.SUCCEEDED, recorded=True
    ).exists()
    paid.refresh_from_db()
    assert paid.refunded_amount == Decimal("50.00")
