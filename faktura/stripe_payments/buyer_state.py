"""What Stripe adds to the buyer page (through invoices' provider registry): the Pay button's
URL, how the buyer's payment stands (paid, processing, failed, refunded because the invoice
changed), reading a late payment back when the buyer returns from Stripe (PAY-2), and expiring
Stripe sessions whose checkout closed (PAY-3)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from faktura.core.errors import RuleViolation
from faktura.core.money import format_money
from faktura.invoices import rules as invoice_rules
from faktura.invoices.models import Invoice
from faktura.invoices.online_payment import OnlinePaymentProvider, PaymentState, providers
from faktura.stripe_payments import checkout_sessions, connection
from faktura.stripe_payments.client import StripeProblem
from faktura.stripe_payments.models import SessionOutcome, SessionStatus, StripeCheckoutSession

logger = logging.getLogger(__name__)
HOSTED_CHECKOUT = "https://checkout.stripe.com"


def pay_url(invoice: Invoice) -> str:
    if not invoice.public_token or not invoice_rules.can_start_checkout(invoice):
        return ""
    if not connection.is_connected():
        return ""
    return reverse("stripe_payments:pay_invoice", args=[invoice.public_token])


def state(invoice: Invoice, request: HttpRequest) -> PaymentState | None:
    sessions = StripeCheckoutSession.objects.filter(checkout__invoice=invoice).select_related(
        "checkout"
    )
    latest = sessions.first()
    back = request.GET.get("checkout", "")
    if back == "unavailable":
        return PaymentState(
            "failed",
            _("Online payment could not start just now. Try again in a few minutes, or contact "
            "the seller."),
        )  # fmt: skip
    if back == "return":
        target = sessions.filter(session_id=request.GET.get("session_id", "")).first() or latest
        if target is not None and not target.outcome:
            try:  # the webhook may be late: ask Stripe now (PAY-2)
                target = checkout_sessions.settle_session(target.session_id) or target
            except (RuleViolation, StripeProblem) as problem:
                logger.warning("Reading back Stripe session %s failed: %s", target, problem)
        latest = target
    if latest is None:
        return None
    amount = format_money(latest.amount, latest.currency)
    if latest.outcome == SessionOutcome.REFUNDED:
        return PaymentState("refunded", latest.outcome_message)
    if latest.outcome == SessionOutcome.PAID:
        return PaymentState(
            "paid",
            _("Thank you: your payment of %(amount)s was received. A receipt is on its way to "
            "you by email.") % {"amount": amount},
        )  # fmt: skip
    if back == "return" and latest.status != SessionStatus.EXPIRED:
        return PaymentState(
            "processing",
            _("Your payment of %(amount)s is being processed. This page shows it as paid as soon "
            "as Stripe confirms it; reload it in a moment.") % {"amount": amount},
        )  # fmt: skip
    if back == "cancelled" or latest.outcome_message:
        said = latest.outcome_message
        return PaymentState(
            "failed",
            (_("Your payment did not go through: %(said)s Try again with Pay.") % {"said": said})
            if said
            else _("You left the payment page before paying. Pay when you are ready."),
        )
    return None


def checkouts_closed(checkout_ids: Sequence[int]) -> None:
    from faktura.stripe_payments.tasks import expire_session_task

    for pk in StripeCheckoutSession.objects.filter(
        checkout_id__in=checkout_ids, status=SessionStatus.OPEN, outcome=SessionOutcome.NONE
    ).values_list("pk", flat=True):
        expire_session_task.enqueue(pk)


def form_origins() -> list[str]:
    if not connection.is_connected():
        return []
    api = urlsplit(settings.STRIPE_API_BASE)
    origins = [HOSTED_CHECKOUT]
    if api.netloc and api.netloc != "api.stripe.com":
        origins.append(f"{api.scheme}://{api.netloc}")  # stripe_sandbox hosts its own page
    return origins


def register() -> None:
    providers.register(
        "stripe",
        OnlinePaymentProvider(
            name="stripe",
            pay_url=pay_url,
            state=state,
            checkouts_closed=checkouts_closed,
            form_origins=form_origins,
        ),
    )
