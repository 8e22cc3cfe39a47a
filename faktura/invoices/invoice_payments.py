"""Payments on an invoice: record, apply, delete, refund (INV-11…INV-14).

The invoice's amount paid is recomputed from its applied payments on every change, and its
status follows: open ↔ paid. Recording a payment by hand sends no receipt (INV-12).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from faktura.accounts.permissions import can_edit_invoices
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, parse_amount, round_money
from faktura.crm.models import Contact
from faktura.history import services as history
from faktura.invoices import documents, rules
from faktura.invoices.lock_objects import invoice_for_update
from faktura.invoices.models import Invoice, InvoicePayment, InvoiceStatus
from faktura.invoices.properties import INVOICE
from faktura.payments import services as payment_services
from faktura.payments.models import COLLECTED, Payment, PaymentMethod


def record_invoice_payment(
    invoice: Invoice,
    *,
    actor: Actor,
    amount: object,
    paid_on: dt.date | None = None,
    method: str = PaymentMethod.WIRE_TRANSFER,
    reference: str = "",
    note: str = "",
    contact: Contact | None = None,
) -> Payment:
    """Record a new manual payment and apply it to the invoice."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_record_payment(invoice, actor))
        value = parse_amount(amount, invoice.currency)
        _require_within_balance(invoice, value)
        payment = payment_services.create_manual_payment(
            actor=actor,
            amount=value,
            currency=invoice.currency,
            paid_on=paid_on,
            method=method,
            reference=reference,
            note=note,
            contact=contact or billing_contact(invoice),
        )
        apply_collected_payment(invoice, payment, actor=actor)
    return payment


def apply_payment_to_invoice(invoice: Invoice, payment: Payment, *, actor: Actor) -> None:
    """Apply an existing payment record, found by amount, id or contact email (INV-11)."""
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_record_payment(invoice, actor))
        payment = payment_services.payment_for_update(payment.pk)
        applied = InvoicePayment.objects.filter(payment=payment).select_related("invoice").first()
        if applied is not None:
            raise RuleViolation(
                f"Payment {payment.pk} is already applied to invoice {applied.invoice}.",
                code="already_applied",
            )
        if payment.currency != invoice.currency:
            raise RuleViolation(
                f"Payment {payment.pk} is in {payment.currency} but the invoice is in "
                f"{invoice.currency}. Apply a payment in the invoice's currency.",
                code="currency_mismatch",
            )
        if payment.status not in COLLECTED or payment.collected_amount <= 0:
            raise RuleViolation(
                f"Payment {payment.pk} has status '{payment.get_status_display()}' and holds no "
                "money to apply.",
                code="invalid_state",
            )
        _require_within_balance(invoice, payment.collected_amount)
        apply_collected_payment(invoice, payment, actor=actor)


def apply_collected_payment(invoice: Invoice, payment: Payment, *, actor: Actor) -> None:
    """Tie a checked payment to a locked invoice and let the amounts follow."""
    before = INVOICE.snapshot(invoice)
    InvoicePayment.objects.create(invoice=invoice, payment=payment)
    _refresh_payment_state(invoice)
    history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
    history.record_event(
        invoice,
        "invoice.payment_recorded",
        actor=actor,
        data={
            "payment_id": payment.pk,
            "amount": str(round_money(payment.amount, payment.currency)),
            "currency": payment.currency,
            "online": payment.is_online,
        },
    )


def delete_payment(payment: Payment, *, actor: Actor) -> None:
    """Delete a manual payment; the invoice it paid reopens as needed (INV-13)."""
    require(rules.can_delete_payment(payment, actor))
    application = InvoicePayment.objects.filter(payment=payment).first()
    if application is None:
        payment_services.delete_manual_payment(payment, actor=actor)
        return
    with transaction.atomic():
        invoice = invoice_for_update(application.invoice_id)
        payment = payment_services.payment_for_update(payment.pk)
        before = INVOICE.snapshot(invoice)
        InvoicePayment.objects.filter(pk=application.pk).delete()
        payment_services.delete_manual_payment(payment, actor=actor)
        _refresh_payment_state(invoice)
        history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
        history.record_event(
            invoice,
            "invoice.payment_deleted",
            actor=actor,
            data={
                "payment_id": payment.pk,
                "amount": str(round_money(payment.amount, payment.currency)),
                "currency": payment.currency,
            },
        )


def refund_payment(payment: Payment, amount: object, *, actor: Actor) -> Payment:
    """Record a refund; an invoice the payment paid shows the lower amount paid."""
    require(can_edit_invoices(actor))
    application = InvoicePayment.objects.filter(payment=payment).first()
    with transaction.atomic():
        invoice = invoice_for_update(application.invoice_id) if application else None
        payment = payment_services.record_refund(payment, amount, actor=actor)
        if invoice is not None:
            before = INVOICE.snapshot(invoice)
            _refresh_payment_state(invoice)
            history.record_changes(invoice, before, INVOICE.snapshot(invoice), actor=actor)
    return payment


def billing_contact(invoice: Invoice) -> Contact | None:
    return invoice.contacts_in_order().first()


def _require_within_balance(invoice: Invoice, amount: Decimal) -> None:
    if amount <= 0:
        raise RuleViolation("A payment amount must be more than zero.", code="invalid_amount")
    if amount > invoice.balance_due:
        raise RuleViolation(
            f"The payment of {format_money(amount, invoice.currency)} is more than the balance "
            f"due of {format_money(invoice.balance_due, invoice.currency)} on invoice "
            f"{invoice.number}.",
            code="overpayment",
        )


def _refresh_payment_state(invoice: Invoice) -> None:
    """Amount paid is the sum of what the applied payments still hold; status follows."""
    payments = Payment.objects.filter(invoice_application__invoice=invoice)
    invoice.amount_paid = sum((p.collected_amount for p in payments), Decimal(0))
    invoice.balance_due = invoice.owed()
    if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
        fully_paid = invoice.amount_paid >= invoice.total
        if fully_paid and invoice.status == InvoiceStatus.OPEN:
            invoice.status, invoice.paid_at = InvoiceStatus.PAID, timezone.now()
        elif not fully_paid and invoice.status == InvoiceStatus.PAID:
            invoice.status, invoice.paid_at = InvoiceStatus.OPEN, None
    invoice.save(update_fields=["amount_paid", "balance_due", "status", "paid_at", "updated_at"])
    documents.render_later(invoice)  # the PDF shows the amount paid and the balance
