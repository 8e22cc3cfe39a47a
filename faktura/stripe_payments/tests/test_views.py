"""The pages (PAY-1, PAY-5): Pay on the buyer page only when Stripe is connected and the invoice
can be paid; Pay sends the buyer to Stripe's page for the balance due and reuses the open
session; the invoice email says "View and pay"; the refund dialog on a payment's page."""

import pytest

from faktura.invoices import sending
from faktura.invoices.models import CheckoutStatus
from faktura.payments import services as payment_services
from faktura.stripe_payments.models import StripeCheckoutSession

pytestmark = pytest.mark.django_db


def test_no_pay_button_without_stripe(client, open_invoice, settings):
    # SPEC PAY-1
    settings.STRIPE_SECRET_KEY = ""
    page = client.get(f"/i/{open_invoice.public_token}/").content.decode()
    assert 'data-action="pay"' not in page


def test_pay_sends_the_buyer_to_stripe_for_the_balance_due(
    client, open_invoice, stripe_account, stripe_sandbox
):
    # SPEC PAY-1
    page = client.get(f"/i/{open_invoice.public_token}/")
    assert 'data-action="pay"' in page.content.decode()
    assert stripe_sandbox.base_url in page["Content-Security-Policy"]  # form-action
    response = client.post(f"/i/{open_invoice.public_token}/pay/")
    assert response.status_code == 303
    session = StripeCheckoutSession.objects.get()
    checkout = session.checkout
    assert checkout is not None
    assert response["Location"] == session.url
    assert session.url.startswith(stripe_sandbox.base_url)
    remote = stripe_sandbox.client(stripe_account).v1.checkout.sessions.retrieve(
        session.session_id, {"expand": ["line_items"]}
    )
    assert remote.amount_total == 25000
    assert remote.client_reference_id == checkout.token
    assert remote.customer_email == open_invoice.contacts_in_order().first().email
    assert remote.line_items.data[0].description == f"Invoice {open_invoice.number}"
    assert remote.metadata["faktura_kind"] == "invoice"
    # Again: the same checkout and session.
    again = client.post(f"/i/{open_invoice.public_token}/pay/")
    assert again["Location"] == session.url
    assert StripeCheckoutSession.objects.count() == 1
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.OPEN


def test_pay_on_a_voided_invoice_goes_back_with_a_sentence(
    client, open_invoice, stripe_account, admin
):
    # SPEC PAY-1
    from faktura.invoices import services as invoices

    invoices.void_invoice(open_invoice, actor=admin)
    response = client.post(f"/i/{open_invoice.public_token}/pay/")
    assert response.status_code == 302
    assert response["Location"].endswith("?checkout=unavailable")
    page = client.get(response["Location"]).content.decode()
    assert "Online payment could not start just now" in page


def test_the_invoice_email_offers_pay(open_invoice, stripe_account, editor, sender):
    # SPEC PAY-1
    email = sending.send_invoice(
        open_invoice,
        actor=editor,
        to="buyer@example.com",
        from_address="billing@seller.test",
        subject="Invoice",
        message="Hello",
    )
    assert "View and pay online (card)" in email.text_body
    assert f"View and pay invoice {open_invoice.number}" in email.html_body


def test_the_refund_dialog_refuses_a_manual_payment_with_the_reason(
    editor_user, editor, signed_in, stripe_account
):
    # SPEC PAY-5
    manual = payment_services.create_manual_payment(actor=editor, amount="20.00", currency="USD")
    client = signed_in(editor_user)
    page = client.get(f"/payments/{manual.pk}/refund/").content.decode()
    assert "was recorded manually" in page
    assert 'data-action="confirm_refund"' not in page
    refused = client.post(f"/payments/{manual.pk}/refund/", {"amount": "5.00", "reason": ""})
    assert refused.status_code == 400
    # The payment page of a manual payment has no Stripe card.
    assert "refunds-panel" not in client.get(f"/payments/{manual.pk}/").content.decode()
