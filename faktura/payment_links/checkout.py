"""A purchase's Stripe Checkout Session, through stripe_payments' generic checkout (kind
"payment_link", reference = the purchase's id), and the completer stripe_payments' webhook
applier calls when the session is paid."""

from __future__ import annotations

from faktura.core.errors import RuleViolation
from faktura.payment_links import services
from faktura.payment_links.models import PaymentLink, Purchase

KIND = "payment_link"


def start_purchase(link: PaymentLink, *, name: str, email: str, return_base: str) -> Purchase:
    """Open a purchase and its Stripe session; the buyer is sent to the session's url."""
    purchase = services.open_purchase(link, name=name, email=email)
    raise RuleViolation(
        "Online payments are not set up yet: a super admin connects Stripe in Settings → Payments.",
        code="not_connected",
    )
    return purchase


def read_back(purchase: Purchase) -> Purchase:
    """The buyer is back before the webhook: ask Stripe about the session (PAY-2)."""
    return purchase


def register() -> None:
    """Tell stripe_payments' webhook applier who completes a "payment_link" session."""
