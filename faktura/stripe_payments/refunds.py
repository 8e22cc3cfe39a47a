"""Refunds of online payments (PAY-5, PAY-3).

A `StripeRefund` row is written first (status "requested"), then a task asks Stripe with
`Idempotency-Key: faktura-refund-<pk>` (an automatic refund of a payment that came for a closed
checkout: `faktura-refund-<PaymentIntent id>`). Its status then follows Stripe: the create
answer, `refund.updated` and `charge.refunded`. Only a succeeded refund is recorded on the
payment (`record_refund` through invoices, once per refund; it records `payment.refunded`
only when the payment is refunded in full). A refund made in Stripe's dashboard is picked up from
`charge.refunded` too."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from faktura.accounts.models import User
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, parse_amount
from faktura.emails.models import EmailKind
from faktura.emails.services import Sender, queue_email
from faktura.history import services as history
from faktura.invoices import invoice_payments
from faktura.payments import services as payment_services
from faktura.payments.models import Payment, Processor
from faktura.stripe_payments import connection, rules
from faktura.stripe_payments.client import StripeProblem, from_minor, object_id, to_minor
from faktura.stripe_payments.client import field as stripe_field
from faktura.stripe_payments.models import RefundStatus, StripeRefund

STRIPE_ACTOR = Actor.integration("Stripe")
_STATUSES = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}


def request_refund(payment: Payment, *, amount: object, reason: str, actor: Actor) -> StripeRefund:
    """A user refunds all or part of an online payment from its page."""
    with transaction.atomic():
        payment = payment_services.payment_for_update(payment.pk)
        value = parse_amount(amount, payment.currency, field="Refund amount")
        require(rules.can_refund(payment, actor, value))
        refund = StripeRefund.objects.create(
            payment=payment,
            amount=value,
            currency=payment.currency,
            reason=reason.strip()[:1000],
            requested_by=actor.user if isinstance(actor.user, User) else None,
        )
        refund.idempotency_key = f"faktura-refund-{refund.pk}"
        refund.save(update_fields=["idempotency_key"])
        history.record_event(
            payment,
            "payment.refund_requested",
            actor=actor,
            data={"refund_id": refund.pk, "amount": str(value), "reason": refund.reason},
        )
        _run_later(refund.pk)
    return refund


def start_automatic_refund(payment: Payment, *, reason: str, actor: Actor) -> StripeRefund:
    """PAY-3: give back a whole payment that came for a closed checkout; once per PaymentIntent."""
    refund, created = StripeRefund.objects.get_or_create(
        idempotency_key=f"faktura-refund-{payment.processor_payment_id}",
        defaults={
            "payment": payment,
            "amount": payment.amount,
            "currency": payment.currency,
            "reason": reason,
            "automatic": True,
        },
    )
    if created:
        _run_later(refund.pk)
    return refund


def _run_later(refund_id: int) -> None:
    from faktura.stripe_payments.tasks import run_refund_task

    transaction.on_commit(lambda: run_refund_task.enqueue(refund_id))


def run_refund(refund_id: int) -> StripeRefund:
    """Ask Stripe for a requested refund. Network trouble raises StripeProblem (the task tries
    again with the same key); a refusal marks the refund failed with Stripe's reason."""
    refund = StripeRefund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.REQUESTED or refund.stripe_refund_id:
        return refund
    StripeRefund.objects.filter(pk=refund_id).update(attempts=refund.attempts + 1)
    payment = refund.payment
    try:
        answer = connection.stripe().create_refund(
            key=refund.idempotency_key or f"faktura-refund-{refund.pk}",
            payment_intent=payment.processor_payment_id,
            amount=to_minor(refund.amount, refund.currency),
            reason="requested_by_customer",
            metadata={"faktura_refund": str(refund.pk)},
        )
    except StripeProblem as problem:
        if problem.kind in ("network", "stripe"):
            StripeRefund.objects.filter(pk=refund_id).update(message=problem.message)
            raise
        _fail(refund_id, problem.message)
        return StripeRefund.objects.get(pk=refund_id)
    except RuleViolation as refusal:  # not connected any more
        _fail(refund_id, refusal.reason)
        return StripeRefund.objects.get(pk=refund_id)
    follow(answer)
    return StripeRefund.objects.get(pk=refund_id)


def _fail(refund_id: int, message: str) -> None:
    with transaction.atomic():
        refund = StripeRefund.objects.select_for_update().get(pk=refund_id)
        refund.status, refund.message = RefundStatus.FAILED, message
        refund.save(update_fields=["status", "message", "updated_at"])
        history.record_event(
            refund.payment,
            "payment.refund_failed",
            actor=STRIPE_ACTOR,
            data={"refund_id": refund.pk, "amount": str(refund.amount), "message": message},
        )


def follow(stripe_refund: Any) -> StripeRefund | None:
    """Bring a refund row in line with Stripe's refund object (from an answer or an event).
    A refund Faktura did not ask for (Stripe's dashboard) gets a row too. None: not a refund of
    a payment Faktura knows."""
    refund_id = str(stripe_field(stripe_refund, "id", ""))
    intent_id = object_id(stripe_field(stripe_refund, "payment_intent", ""))
    ours = str(stripe_field(stripe_field(stripe_refund, "metadata", {}), "faktura_refund", ""))
    status = _STATUSES.get(str(stripe_field(stripe_refund, "status", "")), RefundStatus.PENDING)
    with transaction.atomic():
        refund = StripeRefund.objects.select_for_update().filter(stripe_refund_id=refund_id).first()
        if refund is None and ours.isdigit():
            refund = StripeRefund.objects.select_for_update().filter(pk=int(ours)).first()
        if refund is None:
            payment = Payment.objects.filter(
                processor=Processor.STRIPE, processor_payment_id=intent_id
            ).first()
            if payment is None or not refund_id:
                return None
            currency = str(stripe_field(stripe_refund, "currency", payment.currency)).upper()
            refund, _created = StripeRefund.objects.get_or_create(
                stripe_refund_id=refund_id,
                defaults={
                    "payment": payment,
                    "amount": from_minor(int(stripe_field(stripe_refund, "amount", 0)), currency),
                    "currency": payment.currency,
                    "reason": _("Refunded in Stripe's dashboard."),
                    "from_dashboard": True,
                },
            )
            refund = StripeRefund.objects.select_for_update().get(pk=refund.pk)
        settled = (RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.CANCELED)
        if refund.status in settled and (refund.status == status or refund.recorded):
            return refund  # settled already; Stripe's later events change nothing here
        refund.stripe_refund_id = refund_id or refund.stripe_refund_id
        refund.status = status
        if status == RefundStatus.FAILED:
            refund.message = _("Stripe could not refund the payment (%(why)s).") % {
                "why": stripe_field(stripe_refund, "failure_reason", "") or _("no reason given")
            }
        refund.save()
        if status == RefundStatus.SUCCEEDED and not refund.recorded:
            _record(refund)
    return refund


def _record(refund: StripeRefund) -> None:
    """Once per refund: the payment's refunded amount and status, and the buyer's notice."""
    # Through invoices: the invoice the payment paid shows the lower amount paid (INV-14).
    invoice_payments.refund_payment(refund.payment, refund.amount, actor=STRIPE_ACTOR)
    refund.recorded = True
    refund.save(update_fields=["recorded", "updated_at"])
    _notify_buyer(refund)


def _notify_buyer(refund: StripeRefund) -> None:
    payment = refund.payment
    to = payment.customer_email or (payment.contact.email if payment.contact else "")
    sender = get_account_settings().default_from_email
    if not to or not sender or refund.from_dashboard:
        return
    amount = format_money(refund.amount, refund.currency)
    text = _(
        "Hello,\n\nWe refunded %(amount)s of your payment of %(total)s. It goes back to the card "
        "you paid with; your bank may take 5 to 10 days to show it.\n\nReason: %(reason)s\n"
    ) % {
        "amount": amount,
        "total": format_money(payment.amount, payment.currency),
        "reason": refund.reason or _("none given"),
    }
    try:
        queue_email(
            actor=STRIPE_ACTOR,
            kind=EmailKind.ONE_TO_ONE,
            about=payment,
            sender=Sender(sender),
            to=[to],
            subject=_("Your payment was refunded: %(amount)s") % {"amount": amount},
            text=text,
        )
    except RuleViolation:
        return  # a notice that cannot be addressed does not undo the refund


def sync_payment_refunds(intent_id: str) -> int:
    """Read every refund of a PaymentIntent back from Stripe and follow each (charge.refunded,
    refund.* events, dashboard refunds). Returns how many Faktura knows."""
    if not Payment.objects.filter(processor_payment_id=intent_id).exists():
        return 0
    try:
        listing = connection.stripe().list_refunds(payment_intent=intent_id)
    except StripeProblem as problem:
        raise RuleViolation(problem.message, code="stripe_error") from problem
    return sum(1 for item in stripe_field(listing, "data", []) if follow(item) is not None)
