"""Stripe's webhook events (PAY-2): checked, stored, then applied by a task.

The endpoint checks the signature and timestamp (the library's `Webhook.construct_event`:
HMAC-SHA256, constant-time compare, 300 s tolerance); a bad one is refused and nothing is
stored. A good one is stored first, unique by Stripe's event id (a duplicate delivery adds no
row), and applied afterwards. Applying never trusts the event's copy of the object: it reads the
session, PaymentIntent or refunds back from Stripe and applies what Stripe says now, under a
lock, so any number of events in any order make one payment per PaymentIntent."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.errors import RuleViolation
from faktura.stripe_payments import checkout_sessions, connection, refunds
from faktura.stripe_payments.client import (
    BadSignature,
    StripeProblem,
    field,
    object_id,
    verify_event,
)
from faktura.stripe_payments.models import (
    EventStatus,
    SessionOutcome,
    StripeCheckoutSession,
    WebhookEvent,
)

SIGNATURE_TOLERANCE = 300
SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "charge.failed",
    }
)
REFUND_EVENTS = frozenset(
    {
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)


def receive(payload: bytes, signature: str) -> WebhookEvent:
    """Check and store one delivery. Refused (RuleViolation): nothing was stored."""
    secret = connection.webhook_secret()
    if not secret:
        raise RuleViolation(
            _("Faktura has no webhook signing secret, so it cannot check Stripe's events. Set it "
            "in Settings → Payments."), code="not_configured",
        )  # fmt: skip
    try:
        verify_event(payload, signature, secret, SIGNATURE_TOLERANCE)
        event = json.loads(payload)
        event_id, event_type = str(event["id"]), str(event["type"])
        obj = event["data"]["object"]
    except (BadSignature, ValueError, KeyError, TypeError):
        raise RuleViolation(
            _("The event's signature or timestamp is not valid, so it was ignored."),
            code="bad_signature",
        ) from None
    with transaction.atomic():
        row, created = WebhookEvent.objects.get_or_create(
            event_id=event_id,
            defaults={
                "type": event_type,
                "livemode": bool(event.get("livemode", False)),
                "object_id": str(field(obj, "id", ""))[:255],
                "payload": event,
            },
        )
        if not created:
            WebhookEvent.objects.filter(pk=row.pk).update(deliveries=F("deliveries") + 1)
        if created or row.status == EventStatus.FAILED:
            _apply_later(row.pk)
    return row


def _apply_later(row_id: int) -> None:
    from faktura.stripe_payments.tasks import apply_webhook_event_task

    transaction.on_commit(lambda: apply_webhook_event_task.enqueue(row_id))


def apply_event(row_id: int) -> WebhookEvent:
    """Apply a stored event; its row says what happened. Raises when it should be tried again."""
    row = WebhookEvent.objects.get(pk=row_id)
    if row.status in (EventStatus.APPLIED, EventStatus.IGNORED):
        return row
    WebhookEvent.objects.filter(pk=row_id).update(attempts=F("attempts") + 1)
    obj = row.payload.get("data", {}).get("object", {})
    try:
        status, message = _apply(row.type, obj)
    except (RuleViolation, StripeProblem) as problem:
        reason = problem.reason if isinstance(problem, RuleViolation) else problem.message
        WebhookEvent.objects.filter(pk=row_id).update(status=EventStatus.FAILED, message=reason)
        raise
    WebhookEvent.objects.filter(pk=row_id).update(
        status=status, message=message, applied_at=timezone.now()
    )
    return WebhookEvent.objects.get(pk=row_id)


def _apply(event_type: str, obj: dict[str, Any]) -> tuple[str, str]:
    if event_type in SESSION_EVENTS:
        return _settled(checkout_sessions.settle_session(str(obj.get("id", ""))))
    if event_type in INTENT_EVENTS:
        intent_id = str(obj.get("id", "")) if event_type.startswith("payment_intent.") else ""
        intent_id = intent_id or object_id(obj.get("payment_intent") or "")
        if event_type in ("payment_intent.payment_failed", "charge.failed"):
            return _failed_attempt(intent_id, obj)
        return _intent_paid(intent_id)
    if event_type in REFUND_EVENTS:
        intent_id = object_id(obj.get("payment_intent") or "")
        known = refunds.sync_payment_refunds(intent_id) if intent_id else 0
        if not known:
            return EventStatus.IGNORED, _("Not a refund of a payment Faktura recorded.")
        return EventStatus.APPLIED, _("%(count)s refunds brought up to date.") % {"count": known}
    return EventStatus.IGNORED, _("Faktura does not use %(type)s events.") % {"type": event_type}


def _settled(row: StripeCheckoutSession | None) -> tuple[str, str]:
    if row is None:
        return EventStatus.IGNORED, _("Not a checkout Faktura started.")
    if row.outcome == SessionOutcome.PAID:
        return EventStatus.APPLIED, _("Payment %(pk)s recorded.") % {"pk": row.payment_id}
    if row.outcome == SessionOutcome.REFUNDED:
        return EventStatus.APPLIED, _(
            "Payment %(pk)s came for a closed checkout and is being refunded."
        ) % {"pk": row.payment_id}
    return EventStatus.APPLIED, _("The checkout is %(status)s; nothing paid yet.") % {
        "status": row.status
    }


def _sessions_for_intent(intent_id: str) -> list[StripeCheckoutSession]:
    """Faktura's sessions of a PaymentIntent: known by id once seen, else by the metadata
    Faktura put on the PaymentIntent when it made the session."""
    found = list(StripeCheckoutSession.objects.filter(payment_intent_id=intent_id))
    if found or not intent_id:
        return found
    intent = connection.stripe().retrieve_payment_intent(intent_id)
    reference = str(field(field(intent, "metadata", {}), "faktura_reference", ""))
    kind = str(field(field(intent, "metadata", {}), "faktura_kind", ""))
    if not reference:
        return []
    return list(StripeCheckoutSession.objects.filter(reference=reference, kind=kind))


def _intent_paid(intent_id: str) -> tuple[str, str]:
    sessions = _sessions_for_intent(intent_id)
    if not sessions:
        return EventStatus.IGNORED, _("Not a payment Faktura started.")
    results = [checkout_sessions.settle_session(s.session_id) for s in sessions]
    paid = next((r for r in results if r is not None and r.payment_intent_id == intent_id), None)
    return _settled(paid or results[0])


def _failed_attempt(intent_id: str, obj: dict[str, Any]) -> tuple[str, str]:
    """A card was declined: the buyer may try again on the same page; keep Stripe's words."""
    error = obj.get("last_payment_error") or {}
    said = str(field(error, "message", "") or obj.get("failure_message") or "")
    sessions = _sessions_for_intent(intent_id)
    with transaction.atomic():
        for session in sessions:
            StripeCheckoutSession.objects.filter(pk=session.pk, outcome=SessionOutcome.NONE).update(
                payment_intent_id=intent_id,
                outcome_message=said or _("The card was declined."),
            )
    if not sessions:
        return EventStatus.IGNORED, _("Not a payment Faktura started.")
    return EventStatus.APPLIED, _("A payment attempt failed: %(said)s") % {"said": said}
