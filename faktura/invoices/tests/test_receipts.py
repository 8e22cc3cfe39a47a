"""Receipts (INV-12): none when a payment is recorded by hand; sent on request from the payment's
page or for the payments ticked on the payments index, through a real SMTP server."""

import io

import pytest
from pypdf import PdfReader

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.emails.models import OutboundEmail
from faktura.history.models import Entry
from faktura.invoices import checkout, sending
from faktura.invoices.invoice_payments import record_invoice_payment
from faktura.payments import services as payments
from faktura.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(open_invoice, editor, contact, account):
    account(default_from_email="billing@nordlys.example")
    return record_invoice_payment(
        open_invoice, actor=editor, amount="100.00", reference="WIRE-42", contact=contact
    )


# SPEC INV-12
def test_recording_a_payment_by_hand_sends_no_receipt(
    open_invoice, editor, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    assert not OutboundEmail.objects.exists()
    assert smtp_server.messages == []


# SPEC INV-12
def test_receipt_sent_on_request_with_its_pdf_and_logged_on_the_payment(
    paid, editor, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_receipt(paid, actor=editor)
    [message] = smtp_server.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Receipt for your payment of $100.00 to My Company"
    text = message.get_body(("plain",)).get_content()
    assert "Reference: WIRE-42" in text
    assert "For invoice INV-1; balance due now $150.00." in text
    [attachment] = message.iter_attachments()
    pdf = PdfReader(io.BytesIO(attachment.get_content()))
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert "100.00" in pdf_text
    assert "INV-1" in pdf_text
    event = Entry.objects.for_object("payment", paid.pk).get(event_type="payment.receipt_sent")
    assert event.data["to"] == ["ada@example.com"]


def test_receipt_for_money_not_received_is_refused(paid, editor):
    Payment.objects.filter(pk=paid.pk).update(status=PaymentStatus.FAILED)
    paid.refresh_from_db()
    with pytest.raises(RuleViolation, match="a receipt is for money received"):
        sending.send_receipt(paid, actor=editor)


def test_payment_page_offers_send_receipt_prefilled_with_the_payers_address(
    signed_in, editor_user, viewer_user, paid
):
    page = signed_in(editor_user).get(f"/payments/{paid.pk}/").content.decode()
    assert f'href="/payments/{paid.pk}/receipt/"' in page
    dialog = signed_in(editor_user).get(f"/payments/{paid.pk}/receipt/").content.decode()
    assert 'value="ada@example.com"' in dialog
    viewer = signed_in(viewer_user)
    assert viewer.get(f"/payments/{paid.pk}/receipt/").status_code == 403
    assert viewer.post(f"/payments/{paid.pk}/receipt/", {"to": "x@example.com"}).status_code == 403


# SPEC INV-12
def test_ticked_payments_get_receipts_and_one_without_an_address_is_explained(
    signed_in, editor_user, viewer_user, paid, system, smtp_server
):
    no_address = payments.create_manual_payment(actor=system, amount="40.00", currency="USD")
    assert "Send receipts" not in signed_in(viewer_user).get("/payments/").content.decode()
    client = signed_in(editor_user)  # the same test client, now as the editor
    assert "Send receipts" in client.get("/payments/").content.decode()

    dialog = client.get(f"/payments/receipts/?ids={paid.pk}&ids={no_address.pk}")
    text = dialog.content.decode()
    assert "1 of 2 ticked payments can get a receipt" in text
    assert "No email address on the payment: open it to type one." in text

    answer = client.post("/payments/receipts/", {"ids": [paid.pk]})
    assert answer.status_code == 302
    email = OutboundEmail.objects.get()
    assert (email.kind, email.object_id, email.to) == ("receipt", paid.pk, ["ada@example.com"])


def pay_online(invoice):
    started = checkout.start_checkout(invoice, actor=Actor.api(None, "Buyer checkout"))
    return checkout.complete_checkout(
        started.token,
        actor=Actor.api(None, "Buyer checkout"),
        processor_payment_id="pi_receipt",
        amount=started.amount,
    )


# SPEC INV-12
def test_an_online_payment_gets_its_receipt_unasked_once(
    open_invoice, account, smtp_server, django_capture_on_commit_callbacks
):
    account(default_from_email="billing@nordlys.example")
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_online(open_invoice)
    [message] = smtp_server.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Receipt for your payment of $250.00 to My Company"
    assert "balance due now $0.00" in message.get_body(("plain",)).get_content()
    assert (
        Entry.objects.for_object("payment", payment.pk)
        .filter(event_type="payment.receipt_sent")
        .exists()
    )
    # The task runs again (a worker restarted): no second receipt.
    assert sending.send_automatic_receipt(payment.pk) == "already sent"
    assert OutboundEmail.objects.filter(kind="receipt").count() == 1


def test_an_online_payment_without_a_sender_address_says_why_no_receipt_went(
    open_invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        payment = pay_online(open_invoice)
    result = sending.send_automatic_receipt(payment.pk)
    assert result.startswith("not sent: There is no address to send receipts from")
    assert not OutboundEmail.objects.exists()
