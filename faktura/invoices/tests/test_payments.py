"""Payments on an invoice: record, apply existing, delete, online payments and refunds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.crm import services as crm
from faktura.history.models import Entry
from faktura.history.queries import edit_log
from faktura.invoices import checkout, invoice_payments, services
from faktura.invoices.models import Invoice, InvoiceStatus, PaymentState
from faktura.payments import services as payment_services
from faktura.payments.models import Payment, PaymentStatus, Processor
from faktura.payments.queries import search_payments

STRIPE = Actor.integration("stripe")


def amounts(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    return (invoice.status, invoice.amount_paid, invoice.balance_due)


def pay_online(invoice: Invoice, processor_id: str = "pi_1", amount: str = "250.00") -> Payment:
    started = checkout.start_checkout(invoice, actor=Actor.system("buyer"))
    return checkout.complete_checkout(
        started.token, actor=STRIPE, processor_payment_id=processor_id, amount=amount, fees="7.55"
    )


def test_invoice_partially_paid_then_paid_when_manual_payments_recorded(editor, open_invoice):
    # SPEC INV-11 SPEC INV-3
    first = invoice_payments.record_invoice_payment(
        open_invoice,
        actor=editor,
        amount="100.00",
        paid_on=timezone.localdate() - dt.timedelta(days=2),
        method="check",
        reference="Check 1001",
        note="Posted by Ada",
    )
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal("100.00"), Decimal("150.00"))
    assert open_invoice.payment_state == PaymentState.PARTIALLY_PAID
    assert (first.method, first.reference, first.note) == ("check", "Check 1001", "Posted by Ada")
    assert first.processor == Processor.NONE
    assert first.contact is not None
    assert first.contact.email == "ada@example.com"

    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="150.00")
    assert amounts(open_invoice) == (InvoiceStatus.PAID, Decimal("250.00"), Decimal(0))
    assert open_invoice.payment_state == PaymentState.PAID
    assert open_invoice.paid_at is not None
    shown = [a.payment.pk for a in open_invoice.applied_payments.all()]
    assert first.pk in shown
    assert len(shown) == 2
    assert edit_log(open_invoice).filter(event_type="invoice.payment_recorded").count() == 2


def test_existing_payment_applied_when_found_by_amount_id_or_contact_email(
    editor, system, open_invoice
):  # SPEC INV-11
    grace = crm.create_contact(actor=system, firstname="Grace", email="grace@example.com")
    payment = payment_services.create_manual_payment(
        actor=system, amount="80.00", currency="USD", contact=grace, reference="Wire 77"
    )
    assert list(search_payments("80.00")) == [payment]
    assert list(search_payments(str(payment.pk))) == [payment]
    assert list(search_payments("GRACE@example.com")) == [payment]
    assert list(search_payments("nobody@example.com")) == []

    invoice_payments.apply_payment_to_invoice(open_invoice, payment, actor=editor)
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal("80.00"), Decimal("170.00"))
    assert open_invoice.applied_payments.get().payment == payment


def test_no_email_and_no_receipt_when_payment_recorded_manually(
    editor, open_invoice, mailoutbox
):  # SPEC INV-12
    invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="250.00")
    assert mailoutbox == []
    assert not Entry.objects.filter(event_type__contains="receipt").exists()


@pytest.mark.parametrize(
    ("amount", "code", "phrase"),
    [
        ("250.01", "overpayment", "more than the balance due of 250.00 USD"),
        ("0", "invalid_amount", "more than zero"),
        ("-5", "invalid_amount", "more than zero"),
        ("10.001", "invalid_amount", "more decimals than USD allows"),
        ("ten", "invalid_number", "must be a number"),
    ],
)
def test_payment_refused_with_nothing_written_when_amount_is_wrong(
    editor, open_invoice, amount, code, phrase
):  # SPEC INV-11
    with pytest.raises(RuleViolation, match=phrase) as refused:
        invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount=amount)
    assert refused.value.code == code
    assert not Payment.objects.exists()
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal(0), Decimal("250.00"))


def test_payment_refused_when_date_is_in_the_future(editor, open_invoice):  # SPEC INV-11
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(RuleViolation, match="cannot be in the future"):
        invoice_payments.record_invoice_payment(
            open_invoice, actor=editor, amount="10.00", paid_on=tomorrow
        )
    assert not Payment.objects.exists()


def test_payment_refused_when_invoice_is_not_open(editor, admin, draft_invoice, make_invoice):
    # SPEC INV-11 SPEC INV-23
    with pytest.raises(RuleViolation, match="Finalize the invoice"):
        invoice_payments.record_invoice_payment(draft_invoice, actor=editor, amount="1.00")
    voided = services.void_invoice(make_invoice(finalized=True), actor=admin)
    with pytest.raises(RuleViolation, match="voided and can no longer take a payment"):
        invoice_payments.record_invoice_payment(voided, actor=editor, amount="1.00")
    paid = make_invoice(finalized=True)
    invoice_payments.record_invoice_payment(paid, actor=editor, amount="250.00")
    with pytest.raises(RuleViolation, match="already paid in full"):
        invoice_payments.record_invoice_payment(paid, actor=editor, amount="1.00")
    assert Payment.objects.count() == 1


def test_payment_refused_when_user_is_view_only(viewer, open_invoice):  # SPEC INV-11
    with pytest.raises(RuleViolation, match="view-only") as refused:
        invoice_payments.record_invoice_payment(open_invoice, actor=viewer, amount="10.00")
    assert refused.value.code == "permission_denied"
    assert not Payment.objects.exists()


def test_apply_refused_when_payment_is_elsewhere_or_in_another_currency(
    editor, system, make_invoice
):  # SPEC INV-11
    first, second = make_invoice(finalized=True), make_invoice(finalized=True)
    payment = invoice_payments.record_invoice_payment(first, actor=editor, amount="50.00")
    with pytest.raises(RuleViolation, match=f"already applied to invoice {first.number}"):
        invoice_payments.apply_payment_to_invoice(second, payment, actor=editor)
    euros = payment_services.create_manual_payment(actor=system, amount="50.00", currency="EUR")
    with pytest.raises(RuleViolation, match="in EUR but the invoice is in USD") as refused:
        invoice_payments.apply_payment_to_invoice(second, euros, actor=editor)
    assert refused.value.code == "currency_mismatch"
    large = payment_services.create_manual_payment(actor=system, amount="900.00", currency="USD")
    with pytest.raises(RuleViolation, match="more than the balance due"):
        invoice_payments.apply_payment_to_invoice(second, large, actor=editor)
    assert amounts(second) == (InvoiceStatus.OPEN, Decimal(0), Decimal("250.00"))


def test_invoice_amounts_follow_when_manual_payment_deleted(editor, open_invoice):
    # SPEC INV-13
    partial = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="50.00")
    rest = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="200.00")
    assert amounts(open_invoice)[0] == InvoiceStatus.PAID

    invoice_payments.delete_payment(rest, actor=editor)
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal("50.00"), Decimal("200.00"))
    assert open_invoice.paid_at is None
    invoice_payments.delete_payment(partial, actor=editor)
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal(0), Decimal("250.00"))
    assert open_invoice.payment_state == PaymentState.UNPAID
    assert not Payment.objects.exists()
    deleted = edit_log(open_invoice).filter(event_type="invoice.payment_deleted")
    assert deleted.count() == 2
    assert Entry.objects.filter(event_type="payment.deleted").count() == 2


def test_payment_deletion_refused_when_user_is_view_only(editor, viewer, open_invoice):
    # SPEC INV-13
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=editor, amount="50.00")
    with pytest.raises(RuleViolation, match="view-only"):
        invoice_payments.delete_payment(payment, actor=viewer)
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_online_payment_recorded_with_processor_details_when_checkout_completes(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    assert payment.processor == Processor.STRIPE
    assert (payment.processor_payment_id, payment.fees_amount) == ("pi_1", Decimal("7.55"))
    assert payment.status == PaymentStatus.SUCCEEDED
    assert amounts(open_invoice) == (InvoiceStatus.PAID, Decimal("250.00"), Decimal(0))


def test_online_payment_cannot_be_deleted_when_someone_tries(editor, open_invoice):
    # SPEC INV-14 SPEC INV-13
    payment = pay_online(open_invoice)
    with pytest.raises(RuleViolation, match="collected online and cannot be deleted") as refused:
        invoice_payments.delete_payment(payment, actor=editor)
    assert refused.value.code == "online_payment"
    assert amounts(open_invoice)[0] == InvoiceStatus.PAID
    assert open_invoice.applied_payments.count() == 1


def test_refund_state_and_invoice_follow_when_online_payment_refunded(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    invoice_payments.refund_payment(payment, "50.00", actor=STRIPE)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (
        PaymentStatus.PARTIALLY_REFUNDED,
        Decimal("50.00"),
    )
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal("200.00"), Decimal("50.00"))
    invoice_payments.refund_payment(payment, "200.00", actor=STRIPE)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert amounts(open_invoice) == (InvoiceStatus.OPEN, Decimal(0), Decimal("250.00"))
    with pytest.raises(RuleViolation, match="at most the 0.00 USD"):
        invoice_payments.refund_payment(payment, "0.01", actor=STRIPE)


def test_online_payment_recorded_once_when_processor_reports_it_twice(open_invoice):
    # SPEC INV-14
    payment = pay_online(open_invoice)
    started = open_invoice.checkouts.get()
    again = checkout.complete_checkout(
        started.token, actor=STRIPE, processor_payment_id="pi_1", amount="250.00"
    )
    assert again.pk == payment.pk
    assert Payment.objects.count() == 1
    assert amounts(open_invoice) == (InvoiceStatus.PAID, Decimal("250.00"), Decimal(0))
