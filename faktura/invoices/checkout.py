"""The buyer's checkout for one invoice (INV-9).

A checkout fixes the amount the buyer is paying. Saving an edit of the invoice cancels every
open checkout, and completing a checkout applies the payment. Both lock the invoice row first,
so they run one after the other: the edit sees the payment and is refused, or the completion
sees its checkout cancelled and is refused. They can never both win.

A refused completion records no payment: the card-processor integration must then not capture
the buyer's payment (or refund it), and send the buyer back to start again.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, parse_amount
from faktura.history import services as history
from faktura.invoices import online_payment, rules, sending
from faktura.invoices.invoice_payments import apply_collected_payment, billing_contact
from faktura.invoices.lock_objects import checkout_for_update, invoice_for_update
from faktura.invoices.models import Checkout, CheckoutStatus, Invoice, InvoicePayment
from faktura.payments import services as payment_services
from faktura.payments.models import Payment, PaymentMethod

CHECKOUT_LIFETIME = dt.timedelta(hours=24)
_EXPIRED = "This checkout expired. Start again to pay the invoice."


def start_checkout(invoice: Invoice, *, actor: Actor) -> Checkout:
    with transaction.atomic():
        invoice = invoice_for_update(invoice.pk)
        require(rules.can_start_checkout(invoice))
        checkout = Checkout.objects.create(
            invoice=invoice,
            token=secrets.token_urlsafe(32),
            amount=invoice.balance_due,
            currency=invoice.currency,
            expires_at=timezone.now() + CHECKOUT_LIFETIME,
        )
        history.record_event(
            invoice, "invoice.checkout_started", actor=actor, data={"amount": str(checkout.amount)}
        )
        transaction.on_commit(lambda: _schedule_expiry(checkout))
    return checkout


def complete_checkout(
    token: str,
    *,
    actor: Actor,
    processor_payment_id: str,
    amount: object,
    fees: object = Decimal(0),
    method: str = PaymentMethod.CARD,
) -> Payment:
    """The processor collected the buyer's payment: record it and apply it to the invoice.

    Safe to repeat with the same processor payment id.
    """
    invoice_id = Checkout.objects.filter(token=token).values_list("invoice_id", flat=True).first()
    if invoice_id is None:
        raise RuleViolation("This checkout does not exist.", code="not_found")
    with transaction.atomic():
        invoice = invoice_for_update(invoice_id)  # always the invoice first, then its checkout
        checkout = checkout_for_update(token)
        payment = checkout.payment
        if payment is not None and payment.processor_payment_id == processor_payment_id:
            return payment  # the processor told us twice: same payment, nothing new
        if checkout.status != CheckoutStatus.OPEN:
            raise RuleViolation(_closed_reason(checkout), code="checkout_closed")
        if checkout.expires_at <= timezone.now():
            # The expiry task may not have run yet; the deadline holds all the same.
            raise RuleViolation(_EXPIRED, code="checkout_closed")
        paid = parse_amount(amount, checkout.currency)
        if paid != checkout.amount or checkout.amount > invoice.balance_due:
            raise RuleViolation(
                f"The payment of {format_money(paid, checkout.currency)} does not match the "
                f"amount due of {format_money(invoice.balance_due, invoice.currency)}. "
                "Start the checkout again.",
                code="amount_mismatch",
            )
        payment, created = payment_services.record_online_payment(
            actor=actor,
            processor_payment_id=processor_payment_id,
            amount=paid,
            currency=checkout.currency,
            fees=fees,
            method=method,
            contact=billing_contact(invoice),
        )
        if not created and (
            InvoicePayment.objects.filter(payment=payment).exists()
            or (payment.amount, payment.currency) != (paid, checkout.currency)
        ):
            raise RuleViolation(
                f"The processor's payment {processor_payment_id} is already recorded as payment "
                f"{payment.pk} and cannot pay this checkout too.",
                code="duplicate_payment",
            )
        apply_collected_payment(invoice, payment, actor=actor)
        checkout.payment = payment
        _close(checkout, CheckoutStatus.COMPLETED, "")
        sending.send_receipt_later(payment)  # paid online: the buyer gets a receipt unasked
    return payment


def cancel_open_checkouts(invoice: Invoice, *, reason: str) -> int:
    """Called with the invoice locked, by the edit and void services. The card processor closes
    its side of them once this commits (PAY-3)."""
    open_checkouts = Checkout.objects.filter(invoice=invoice, status=CheckoutStatus.OPEN)
    ids = list(open_checkouts.values_list("pk", flat=True))
    cancelled = Checkout.objects.filter(pk__in=ids).update(
        status=CheckoutStatus.CANCELLED, closed_reason=reason, closed_at=timezone.now()
    )
    online_payment.checkouts_closed_on_commit(ids)
    return cancelled


def expire_checkout(checkout_id: int) -> str:
    """Close a checkout whose time ran out; returns its status for the task's result row."""
    invoice_id = (
        Checkout.objects.filter(pk=checkout_id).values_list("invoice_id", flat=True).first()
    )
    if invoice_id is None:
        return "gone"
    with transaction.atomic():
        invoice_for_update(invoice_id)
        checkout = Checkout.objects.select_for_update().get(pk=checkout_id)
        if checkout.status == CheckoutStatus.OPEN and checkout.expires_at <= timezone.now():
            _close(checkout, CheckoutStatus.EXPIRED, "The checkout expired.")
            online_payment.checkouts_closed_on_commit([checkout.pk])
    return checkout.status


def _close(checkout: Checkout, status: CheckoutStatus, reason: str) -> None:
    checkout.status, checkout.closed_reason, checkout.closed_at = status, reason, timezone.now()
    checkout.save(update_fields=["status", "closed_reason", "closed_at", "payment"])


def _closed_reason(checkout: Checkout) -> str:
    if checkout.status == CheckoutStatus.CANCELLED:
        return (
            f"{checkout.closed_reason} This checkout was cancelled; start again to pay the "
            "invoice's current amount."
        )
    if checkout.status == CheckoutStatus.EXPIRED:
        return _EXPIRED
    return "This checkout is already completed."


def _schedule_expiry(checkout: Checkout) -> None:
    from faktura.invoices.tasks import expire_checkout_task

    backend = expire_checkout_task.get_backend()
    if backend.supports_defer:
        expire_checkout_task.using(run_after=checkout.expires_at).enqueue(checkout.pk)
    # Without a deferring backend the checkout still expires: completion checks expires_at.
