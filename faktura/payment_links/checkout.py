"""A purchase's Stripe Checkout Session, through stripe_payments' generic checkout (kind
"payment_link", reference = the purchase's id, an idempotency key derived from it, PAY-7), the
read-back when the buyer returns before the webhook (PAY-2), and the completer stripe_payments'
webhook applier calls when the session is paid."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urljoin

from django.db import OperationalError
from django.urls import reverse

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.payment_links import services
from faktura.payment_links.models import PaymentLink, PaymentLinkItem, Purchase
from faktura.payments.models import Payment
from faktura.stripe_payments import checkout_sessions as sessions
from faktura.stripe_payments.models import SessionStatus

KIND = "payment_link"


def idempotency_key(purchase: Purchase) -> str:
    return f"faktura-payment-link-{purchase.pk}-session"


def stripe_line(item: PaymentLinkItem, currency: str) -> sessions.Line:
    """One line of Stripe's page: quantity × unit price, or, with tax, the line's total as one
    (Stripe's unit amounts are whole minor units, so tax per unit would not always add up)."""
    amounts = item.amounts(currency)
    quantity = int(item.quantity)
    if not item.tax_rate:
        return sessions.Line(item.name, item.unit_price, quantity)
    name = f"{quantity} × {item.name}" if quantity != 1 else item.name
    return sessions.Line(f"{name} (incl. {item.tax_rate.normalize():f} % tax)", amounts.total, 1)


def start_purchase(link: PaymentLink, *, name: str, email: str, return_base: str) -> Purchase:
    """Open a purchase and its Stripe session; the buyer is then sent to the session's url.
    Refused (and the purchase closed) when Stripe is not connected or refuses."""
    purchase = services.open_purchase(link, name=name, email=email)
    done = reverse("payment_links:done", args=[link.token, purchase.token])
    lines = [stripe_line(item, link.currency) for item in link.items.all()]
    try:
        if sum((line.unit_amount * line.quantity for line in lines), Decimal(0)) != purchase.amount:
            raise RuleViolation(
                "This payment link's lines do not add up to its total; the seller must make it "
                "again.",
                code="lines_do_not_add_up",
            )
        row = sessions.create_session(
            kind=KIND,
            reference=str(purchase.pk),
            lines=lines,
            currency=link.currency,
            success_url=urljoin(return_base, done),
            cancel_url=urljoin(return_base, link.public_path()),
            idempotency_key=idempotency_key(purchase),
            customer_email=purchase.buyer_email,
            metadata={"faktura_payment_link": str(link.pk)},
        )
    except RuleViolation:
        services.expire_purchase(purchase)
        raise
    return services.record_session(purchase, session_id=row.session_id, url=row.url)


def read_back(purchase: Purchase) -> Purchase:
    """The buyer is back before the webhook: ask Stripe about the session and apply it (PAY-2).
    Until it is settled the purchase stays open; the page says so and reloads."""
    if purchase.stripe_session_id:
        try:
            row = sessions.settle_session(purchase.stripe_session_id)
        except (RuleViolation, OperationalError):
            # Stripe did not answer, or SQLite is busy with the webhook applying this very
            # session: the page says it is confirming and reloads.
            row = None
        if row is not None and row.status == SessionStatus.EXPIRED:
            services.expire_purchase(purchase)
    purchase.refresh_from_db()
    return purchase


def _complete(paid: sessions.PaidSession, actor: Actor) -> Payment:
    return services.complete_purchase(paid, actor=actor)


def register() -> None:
    """Tell stripe_payments' webhook applier who completes a "payment_link" session."""
    sessions.completers.register(KIND, _complete)
