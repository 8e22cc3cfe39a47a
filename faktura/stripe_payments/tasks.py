"""Background work for Stripe: thin tasks, safe to repeat, each leaving its row readable
(WebhookEvent, StripeRefund, StripeCheckoutSession). A run that fails on the network or on
Stripe's side is tried again later with the same idempotency key."""

import datetime as dt
import logging
from typing import Any

from django.tasks import task
from django.utils import timezone

from faktura.core.errors import RuleViolation
from faktura.stripe_payments import checkout_sessions, refunds, webhooks
from faktura.stripe_payments.client import StripeProblem

logger = logging.getLogger(__name__)
RETRY_DELAYS = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)


def _again(this: Any, argument: int, attempt: int) -> str:
    """Run again later where the backend can defer (the worker); tests run tasks at once."""
    if attempt > len(RETRY_DELAYS) or not this.get_backend().supports_defer:
        return "failed"
    this.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(argument)
    return "retrying"


@task()
def apply_webhook_event_task(event_id: int) -> str:
    try:
        return webhooks.apply_event(event_id).status
    except (RuleViolation, StripeProblem) as problem:
        logger.warning("Stripe event %s not applied: %s", event_id, problem)
        from faktura.stripe_payments.models import WebhookEvent

        attempts = WebhookEvent.objects.get(pk=event_id).attempts
        return _again(apply_webhook_event_task, event_id, attempts)


@task()
def run_refund_task(refund_id: int) -> str:
    try:
        return refunds.run_refund(refund_id).status
    except StripeProblem as problem:
        logger.warning("Stripe refund %s not made yet: %s", refund_id, problem)
        from faktura.stripe_payments.models import StripeRefund

        attempts = StripeRefund.objects.get(pk=refund_id).attempts
        return _again(run_refund_task, refund_id, attempts)


@task()
def expire_session_task(session_row_id: int) -> str:
    try:
        return checkout_sessions.expire_session(session_row_id)
    except (RuleViolation, StripeProblem) as problem:
        logger.warning("Stripe session %s not expired yet: %s", session_row_id, problem)
        from faktura.stripe_payments.models import StripeCheckoutSession

        attempts = StripeCheckoutSession.objects.get(pk=session_row_id).expire_attempts
        return _again(expire_session_task, session_row_id, attempts)
