"""Stripe Checkout Sessions: how a buyer pays an invoice (PAY-1) or a payment link (PAY-6), and
how a paid session becomes exactly one payment (PAY-2) or an automatic refund (PAY-3).

Interface for other apps (payment links, helper L):

- `create_session(kind=..., reference=..., lines=[Line(name, unit_amount, quantity)],
  currency=..., customer_email=..., success_url=..., cancel_url=..., idempotency_key=...,
  metadata=None, expires_at=None) -> StripeCheckoutSession` creates the Stripe session
  (`client_reference_id` = reference, metadata `faktura_kind` = kind and
  `faktura_reference` = reference, also on the PaymentIntent) and records it. The idempotency
  key must be derived from what it pays (e.g. `faktura-payment-link-<purchase pk>-session`).
  `success_url` may contain Stripe's `{CHECKOUT_SESSION_ID}`.
- `completers.register(kind, completer)`: `completer(paid: PaidSession, actor: Actor) -> Payment`
  is called once the session is paid, inside a transaction with the session row locked, at
  most once per session that succeeds (a repeat after success is not called). It records
  the payment (`payments.services.record_online_payment` with `paid.payment_intent_id`) and
  whatever the kind needs. Raising `RuleViolation` with code "checkout_closed" (or
  "amount_mismatch", "not_found") means the money must go back: the payment is recorded
  unapplied and refunded in full automatically, and the session's `outcome` is "refunded"
  with the reason in `outcome_message`. Any other RuleViolation leaves the event failed (retried).
- `settle_session(session_id)`: reads the session back from Stripe and applies it; the webhook
  applier and a buyer returning from Stripe both call it; safe to repeat and to race.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation, require
from faktura.core.money import format_money, round_money
from faktura.core.registry import Registry
from faktura.history import services as history
from faktura.invoices import rules as invoice_rules
from faktura.invoices.checkout import complete_checkout, start_checkout
from faktura.invoices.invoice_payments import billing_contact
from faktura.invoices.models import Checkout, CheckoutStatus, Invoice
from faktura.payments import services as payment_services
from faktura.payments.models import Payment
from faktura.stripe_payments import connection, refunds
from faktura.stripe_payments.client import StripeProblem, from_minor, object_id, to_minor
from faktura.stripe_payments.client import field as stripe_field
from faktura.stripe_payments.models import SessionOutcome, SessionStatus, StripeCheckoutSession

STRIPE_ACTOR = Actor.integration("Stripe")
# Stripe wants a session's expiry 30 minutes to 24 hours ahead; an older checkout starts anew.
MIN_SESSION_LIFETIME = dt.timedelta(minutes=31)
# Refusals of a completer that mean the buyer's money must go back (PAY-3).
REFUND_CODES = frozenset({"checkout_closed", "amount_mismatch", "not_found"})
SESSION_EXPAND = ["payment_intent", "payment_intent.latest_charge.balance_transaction"]


@dataclass(frozen=True)
class Line:
    name: str
    unit_amount: Decimal
    quantity: int = 1


@dataclass(frozen=True)
class PaidSession:
    session_id: str
    payment_intent_id: str
    amount: Decimal
    currency: str
    fee: Decimal
    customer_email: str
    customer_name: str
    reference: str
    metadata: Mapping[str, str] = field(default_factory=dict)


Completer = Callable[[PaidSession, Actor], Payment]
completers: Registry[Completer] = Registry("checkout completer")


def create_session(
    *,
    kind: str,
    reference: str,
    lines: Sequence[Line],
    currency: str,
    success_url: str,
    cancel_url: str,
    idempotency_key: str,
    customer_email: str = "",
    metadata: Mapping[str, str] | None = None,
    expires_at: dt.datetime | None = None,
    checkout: Checkout | None = None,
) -> StripeCheckoutSession:
    if kind not in completers:
        raise LookupError(f"No completer is registered for checkout kind '{kind}'.")
    tags = {**(metadata or {}), "faktura_kind": kind, "faktura_reference": reference}
    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": reference,
        "line_items": [
            {
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": to_minor(line.unit_amount, currency),
                    "product_data": {"name": line.name[:250]},
                },
                "quantity": line.quantity,
            }
            for line in lines
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": tags,
        "payment_intent_data": {"metadata": tags},
    }
    if customer_email:
        params["customer_email"] = customer_email
    if expires_at is not None:
        params["expires_at"] = int(expires_at.timestamp())
    try:
        session = connection.stripe().create_session(key=idempotency_key, **params)
    except StripeProblem as problem:
        raise RuleViolation(
            _("Stripe could not start the payment: %(message)s") % {"message": problem.message},
            code="stripe_error",
        ) from problem
    total = sum((line.unit_amount * line.quantity for line in lines), Decimal(0))
    try:
        row, _created = StripeCheckoutSession.objects.get_or_create(
            session_id=str(session["id"]),
            defaults={
                "url": str(stripe_field(session, "url", "")),
                "kind": kind,
                "reference": reference,
                "checkout": checkout,
                "amount": total,
                "currency": currency.upper(),
            },
        )
    except IntegrityError:  # a second click made the same session at the same moment
        row = StripeCheckoutSession.objects.get(session_id=str(session["id"]))
    return row


# --- paying an invoice -------------------------------------------------------------------------


def session_for_invoice(invoice: Invoice, *, buyer_url: str) -> StripeCheckoutSession:
    """The buyer clicked Pay: reuse the open checkout's session, or start a checkout for the
    balance due and one Stripe session for it (`faktura-checkout-<pk>-session`)."""
    require(invoice_rules.can_start_checkout(invoice))
    usable = Checkout.objects.filter(
        invoice=invoice,
        status=CheckoutStatus.OPEN,
        amount=invoice.balance_due,
        currency=invoice.currency,
        expires_at__gt=timezone.now() + MIN_SESSION_LIFETIME,
    ).order_by("-created_at", "-id")
    for checkout in usable:
        session = StripeCheckoutSession.objects.filter(checkout=checkout).first()
        if session is None:
            return _invoice_session(invoice, checkout, buyer_url)
        if session.status == SessionStatus.OPEN and not session.outcome:
            return session
    checkout = start_checkout(invoice, actor=STRIPE_ACTOR)
    return _invoice_session(invoice, checkout, buyer_url)


def _invoice_session(invoice: Invoice, checkout: Checkout, buyer_url: str) -> StripeCheckoutSession:
    contact = billing_contact(invoice)
    separator = "&" if "?" in buyer_url else "?"
    return create_session(
        kind="invoice",
        reference=checkout.token,
        lines=[Line(_("Invoice %(number)s") % {"number": invoice.number}, checkout.amount)],
        currency=checkout.currency,
        customer_email=contact.email if contact and contact.email else "",
        success_url=f"{buyer_url}{separator}checkout=return&session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=f"{buyer_url}{separator}checkout=cancelled",
        idempotency_key=f"faktura-checkout-{checkout.pk}-session",
        metadata={"faktura_invoice": str(invoice.pk)},
        expires_at=checkout.expires_at,
        checkout=checkout,
    )


def _complete_invoice(paid: PaidSession, actor: Actor) -> Payment:
    return complete_checkout(
        paid.reference,
        actor=actor,
        processor_payment_id=paid.payment_intent_id,
        amount=paid.amount,
        fees=paid.fee,
    )


def register_invoice_completer() -> None:
    completers.register("invoice", _complete_invoice)


# --- settling a paid session (PAY-2, PAY-3, PAY-4) ----------------------------------------------


def settle_session(session_id: str) -> StripeCheckoutSession | None:
    """Read the session back from Stripe and apply what it says. None: not a Faktura session."""
    row = StripeCheckoutSession.objects.filter(session_id=session_id).first()
    if row is None:
        return None
    if row.outcome in (SessionOutcome.PAID, SessionOutcome.REFUNDED):
        return row  # settled already: nothing to read
    client = connection.stripe()
    try:
        session = client.retrieve_session(session_id, expand=SESSION_EXPAND)
    except StripeProblem as problem:
        raise RuleViolation(problem.message, code="stripe_error") from problem
    status = str(stripe_field(session, "status", ""))
    intent = stripe_field(session, "payment_intent")
    intent_id = object_id(intent) if intent else ""
    if stripe_field(session, "payment_status") != "paid" or not intent_id:
        _note_status(row.pk, status, intent_id)
        return StripeCheckoutSession.objects.get(pk=row.pk)
    if isinstance(intent, str):
        intent = client.retrieve_payment_intent(
            intent_id, expand=["latest_charge.balance_transaction"]
        )
    if stripe_field(intent, "status") != "succeeded":
        _note_status(row.pk, status, intent_id)
        return StripeCheckoutSession.objects.get(pk=row.pk)
    currency = str(stripe_field(session, "currency", row.currency)).upper()
    details = stripe_field(session, "customer_details", {})
    paid = PaidSession(
        session_id=session_id,
        payment_intent_id=intent_id,
        amount=from_minor(int(stripe_field(session, "amount_total", 0)), currency),
        currency=currency,
        fee=_fee(client, intent, currency),
        customer_email=str(
            stripe_field(details, "email", "") or stripe_field(session, "customer_email", "")
        ),
        customer_name=str(stripe_field(details, "name", "")),
        reference=str(stripe_field(session, "client_reference_id", "") or row.reference),
        metadata={str(k): str(v) for k, v in dict(stripe_field(session, "metadata", {})).items()},
    )
    return apply_paid_session(paid)


def _note_status(pk: int, status: str, intent_id: str) -> None:
    values: dict[str, Any] = {"updated_at": timezone.now()}
    if status in SessionStatus.values:
        values["status"] = status
    if intent_id:
        values["payment_intent_id"] = intent_id
    StripeCheckoutSession.objects.filter(pk=pk, outcome=SessionOutcome.NONE).update(**values)


def _fee(client: Any, intent: Any, currency: str) -> Decimal:
    """The processor's fee from the charge's balance transaction (PAY-4), in the payment's
    currency (Stripe keeps it in the settlement currency)."""
    charge = stripe_field(intent, "latest_charge")
    if not charge:
        return Decimal(0)
    if isinstance(charge, str):
        charge = client.retrieve_charge(charge, expand=["balance_transaction"])
    transaction_ = stripe_field(charge, "balance_transaction")
    if not transaction_:
        return Decimal(0)
    if isinstance(transaction_, str):
        transaction_ = client.retrieve_balance_transaction(transaction_)
    settled_in = str(stripe_field(transaction_, "currency", currency)).upper()
    fee = from_minor(int(stripe_field(transaction_, "fee", 0)), settled_in)
    rate = stripe_field(transaction_, "exchange_rate")
    if settled_in != currency and rate:
        fee = round_money(fee / Decimal(str(rate)), currency)
    return fee


def apply_paid_session(paid: PaidSession) -> StripeCheckoutSession:
    """Call the kind's completer once, the session row locked; refund when it refuses."""
    with transaction.atomic():
        row = StripeCheckoutSession.objects.select_for_update().get(session_id=paid.session_id)
        if row.outcome in (SessionOutcome.PAID, SessionOutcome.REFUNDED):
            return row
        row.status, row.payment_intent_id = SessionStatus.COMPLETE, paid.payment_intent_id
        try:
            with transaction.atomic():
                payment = completers.get(row.kind)(paid, STRIPE_ACTOR)
        except RuleViolation as refusal:
            if refusal.code not in REFUND_CODES:
                raise
            payment = _refund_instead(row, paid, refusal)
        else:
            row.outcome, row.outcome_message = SessionOutcome.PAID, ""
        row.payment = payment
        row.save()
    return row


def _refund_instead(
    row: StripeCheckoutSession, paid: PaidSession, refusal: RuleViolation
) -> Payment:
    """PAY-3: the money came for a checkout that had closed. Record it (not applied to
    anything) and give it back in full; the buyer is told why."""
    payment, _created = payment_services.record_online_payment(
        actor=STRIPE_ACTOR,
        processor_payment_id=paid.payment_intent_id,
        amount=paid.amount,
        currency=paid.currency,
        fees=paid.fee,
        customer_email=paid.customer_email,
    )
    amount = format_money(paid.amount, paid.currency)
    reason = _refund_reason(row, amount, refusal)
    refunds.start_automatic_refund(payment, reason=reason, actor=STRIPE_ACTOR)
    row.outcome, row.outcome_message = SessionOutcome.REFUNDED, reason
    history.record_event(
        payment,
        "payment.refunded_automatically",
        actor=STRIPE_ACTOR,
        data={"session_id": row.session_id, "reason": refusal.reason, "amount": str(paid.amount)},
    )
    if row.checkout_id is not None:
        invoice = Invoice.objects.get(checkouts__pk=row.checkout_id)
        history.record_event(
            invoice,
            "invoice.online_payment_refunded",
            actor=STRIPE_ACTOR,
            data={"payment_id": payment.pk, "amount": str(paid.amount), "reason": refusal.reason},
        )
    return payment


def _refund_reason(row: StripeCheckoutSession, amount: str, refusal: RuleViolation) -> str:
    checkout = row.checkout
    if checkout is not None and checkout.status == CheckoutStatus.CANCELLED:
        if "voided" in checkout.closed_reason:
            return _(
                "The invoice was voided while you were paying; your payment of %(amount)s was "
                "refunded."
            ) % {"amount": amount}
        return _(
            "The invoice changed while you were paying; your payment of %(amount)s was "
            "refunded. Pay the current amount."
        ) % {"amount": amount}
    if checkout is not None:
        return _(
            "Your checkout had expired when the payment came through; your payment of "
            "%(amount)s was refunded. Pay again."
        ) % {"amount": amount}
    return _("Your payment of %(amount)s was refunded: %(reason)s") % {
        "amount": amount,
        "reason": refusal.reason,
    }


# --- closing sessions when their checkout closes (PAY-3) ----------------------------------------


def expire_session(row_id: int) -> str:
    """Expire a session whose Faktura checkout closed; if it was paid meanwhile, settle it (the
    completer refuses, so the payment is refunded)."""
    row = StripeCheckoutSession.objects.filter(pk=row_id).first()
    if row is None:
        return "gone"
    if row.status != SessionStatus.OPEN or row.outcome:
        return row.status
    StripeCheckoutSession.objects.filter(pk=row_id).update(expire_attempts=row.expire_attempts + 1)
    subject = f"checkout-{row.checkout_id}" if row.checkout_id else f"session-{row.pk}"
    try:
        connection.stripe().expire_session(row.session_id, key=f"faktura-{subject}-expire")
    except StripeProblem as problem:
        if problem.kind in ("network", "stripe"):
            StripeCheckoutSession.objects.filter(pk=row_id).update(expire_message=problem.message)
            raise  # the task tries again later
        # Stripe refuses to expire a session that is complete or expired: read what it is.
        StripeCheckoutSession.objects.filter(pk=row_id).update(expire_message=problem.message)
        settled = settle_session(row.session_id)
        return settled.status if settled else "gone"
    StripeCheckoutSession.objects.filter(pk=row_id, outcome=SessionOutcome.NONE).update(
        status=SessionStatus.EXPIRED, expire_message=_("Expired at Stripe.")
    )
    return SessionStatus.EXPIRED
