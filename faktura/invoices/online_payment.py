"""The extension point through which a card processor (stripe_payments, to the right in the
layering) offers Pay on the buyer page and in the invoice email, tells the buyer how their
payment stands, and hears when checkouts close (INV-9, PAY-1, PAY-3). Invoices never import the
processor: it registers a provider here when its app is ready."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest

from faktura.core.registry import Registry
from faktura.invoices.models import Invoice


@dataclass(frozen=True)
class PaymentState:
    """What the buyer page says about the buyer's online payment.

    `kind`: "paid", "processing", "failed" or "refunded"; `message` is the sentence shown."""

    kind: str
    message: str


@dataclass(frozen=True)
class OnlinePaymentProvider:
    name: str
    # The URL the buyer's Pay button posts to, or "" when the invoice cannot be paid online now.
    pay_url: Callable[[Invoice], str]
    # How the buyer's latest payment stands; reads it back from the processor when asked to.
    state: Callable[[Invoice, HttpRequest], PaymentState | None]
    # Checkouts (by id) just cancelled or expired: close them at the processor too.
    checkouts_closed: Callable[[Sequence[int]], None]
    # Origins the Pay form's redirect leads to (the processor's hosted page), for the page's CSP.
    form_origins: Callable[[], list[str]]


providers: Registry[OnlinePaymentProvider] = Registry("online payment provider")


def pay_url(invoice: Invoice) -> str:
    return next((url for p in providers if (url := p.pay_url(invoice))), "")


def payment_state(invoice: Invoice, request: HttpRequest) -> PaymentState | None:
    return next((s for p in providers if (s := p.state(invoice, request))), None)


def form_origins() -> list[str]:
    return [origin for p in providers for origin in p.form_origins()]


def checkouts_closed_on_commit(checkout_ids: Sequence[int]) -> None:
    """Called inside the closing transaction: the processor hears only once it committed."""
    if not checkout_ids:
        return
    ids = list(checkout_ids)
    for provider in providers:
        transaction.on_commit(lambda p=provider: p.checkouts_closed(ids))  # type: ignore[misc]
