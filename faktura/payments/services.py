"""Payment records: manual and online, refunds. Knows nothing of invoices."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from faktura.accounts.permissions import can_edit_records
from faktura.core.actors import Actor
from faktura.core.dates import check_business_date
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, normalize_currency, parse_amount, round_money
from faktura.crm.models import Contact
from faktura.history import services as history
from faktura.payments.models import Payment, PaymentMethod, PaymentStatus, Processor
from faktura.payments.properties import PAYMENT
from faktura.sales.models import Deal


def payment_for_update(pk: int) -> Payment:
    try:
        return Payment.objects.select_for_update().get(pk=pk)
    except Payment.DoesNotExist:
        raise RuleViolation(
            f"Payment {pk} does not exist (it may have been deleted).", code="not_found"
        ) from None


def associate_deal(payment: Payment, deal: Deal | None, *, actor: Actor) -> Payment:
    """The deal a payment closed (a payment link's deal, PAY-6), or none; recorded in history."""
    require(can_edit_records(actor))
    with transaction.atomic():
        payment = payment_for_update(payment.pk)
        if payment.deal_id == (deal.pk if deal else None):
            return payment
        payment.deal = deal
        payment.save(update_fields=["deal", "updated_at"])
        history.record_event(
            payment,
            "payment.association_added" if deal else "payment.association_removed",
            actor=actor,
            data={"deal": deal.pk if deal else None},
        )
    return payment


def create_manual_payment(
    *,
    actor: Actor,
    amount: object,
    currency: str,
    paid_on: dt.date | None = None,
    method: str = PaymentMethod.WIRE_TRANSFER,
    reference: str = "",
    note: str = "",
    contact: Contact | None = None,
) -> Payment:
    require(can_edit_records(actor))
    currency = normalize_currency(currency)
    value = parse_amount(amount, currency)
    if value <= 0:
        raise RuleViolation("A payment amount must be more than zero.", code="invalid_amount")
    if method not in PaymentMethod.values:
        raise RuleViolation(
            f"Unknown payment method '{method}'. Use one of: {', '.join(PaymentMethod.values)}."
        )
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise RuleViolation("The payment date cannot be in the future.", code="invalid_date")
    check_business_date(paid_on, field="Payment date")
    with transaction.atomic():
        payment = Payment.objects.create(
            amount=value,
            currency=currency,
            paid_on=paid_on,
            method=method,
            reference=reference.strip()[:200],
            note=note.strip(),
            contact=contact,
            customer_email=contact.email if contact else "",
        )
        history.record_created(payment, actor=actor)
    return payment


def record_online_payment(
    *,
    actor: Actor,
    processor_payment_id: str,
    amount: object,
    currency: str,
    fees: object = Decimal(0),
    method: str = PaymentMethod.CARD,
    contact: Contact | None = None,
    customer_email: str = "",
) -> tuple[Payment, bool]:
    """Store a payment the processor collected. Safe to repeat: the processor's id is the key.

    Returns the payment and whether it was created by this call.
    """
    require(can_edit_records(actor))
    if not processor_payment_id:
        raise RuleViolation("An online payment needs the processor's payment id.")
    currency = normalize_currency(currency)
    value = parse_amount(amount, currency)
    fee = parse_amount(fees, currency, field="Fees")
    if value <= 0 or not 0 <= fee <= value:
        raise RuleViolation(
            f"An online payment needs an amount above zero and fees between zero and the amount; "
            f"got amount {value} and fees {fee} {currency}.",
            code="invalid_amount",
        )
    with transaction.atomic():
        existing = Payment.objects.select_for_update().filter(
            processor_payment_id=processor_payment_id
        )
        if payment := existing.first():
            return payment, False
        payment = Payment.objects.create(
            amount=value,
            currency=currency,
            paid_on=timezone.localdate(),
            method=method,
            processor=Processor.STRIPE,
            processor_payment_id=processor_payment_id,
            fees_amount=fee,
            contact=contact,
            customer_email=customer_email or (contact.email if contact else ""),
        )
        history.record_created(payment, actor=actor)
    return payment, True


def record_refund(payment: Payment, amount: object, *, actor: Actor) -> Payment:
    """A refund the processor made (or a manual refund); the status follows the amounts."""
    require(can_edit_records(actor))
    with transaction.atomic():
        payment = payment_for_update(payment.pk)
        value = parse_amount(amount, payment.currency, field="Refund amount")
        refundable = payment.collected_amount
        if value <= 0 or value > refundable:
            raise RuleViolation(
                "A refund must be more than zero and at most the "
                f"{format_money(refundable, payment.currency)} still held from payment "
                f"{payment.pk}.",
                code="invalid_amount",
            )
        before = PAYMENT.snapshot(payment)
        payment.refunded_amount += value
        payment.status = (
            PaymentStatus.REFUNDED
            if payment.refunded_amount == payment.amount
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        payment.save(update_fields=["refunded_amount", "status", "updated_at"])
        history.record_changes(payment, before, PAYMENT.snapshot(payment), actor=actor)
        # `payment.refunded` only once the whole payment is back (QB-11's trigger, PAY-5).
        event = (
            "payment.refunded"
            if payment.status == PaymentStatus.REFUNDED
            else "payment.partially_refunded"
        )
        history.record_event(payment, event, actor=actor, data={"amount": str(value)})
    return payment


def delete_manual_payment(payment: Payment, *, actor: Actor) -> None:
    """Delete a payment recorded by hand. The caller has removed it from any invoice first."""
    require(can_edit_records(actor))
    with transaction.atomic():
        payment = payment_for_update(payment.pk)
        if payment.is_online:
            raise RuleViolation(
                f"Payment {payment.pk} was collected online and cannot be deleted. "
                "Refund it instead.",
                code="online_payment",
            )
        history.record_event(
            payment,
            "payment.deleted",
            actor=actor,
            data={
                "amount": str(round_money(payment.amount, payment.currency)),
                "currency": payment.currency,
            },
        )
        payment.delete()
