"""Refunds: they start `pending` and settle after the sandbox's refund delay, `succeeded`, or
`failed` for a charge paid with 4000 0000 0000 5126; the charge's `amount_refunded` follows."""

from __future__ import annotations

from typing import Any

from stripe_sandbox import charges, money, params
from stripe_sandbox.cards import card_for
from stripe_sandbox.errors import StripeError
from stripe_sandbox.sandbox import Request, Sandbox
from stripe_sandbox.store import new_id

REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
CREATE_PARAMS = {"payment_intent", "charge", "amount", "reason", "metadata", "expand"}


def find_charge(sandbox: Sandbox, account: str, form: dict[str, Any]) -> dict[str, Any]:
    charge_id = params.text(form, "charge")
    intent_id = params.text(form, "payment_intent")
    if charge_id and intent_id:
        raise StripeError.invalid(
            "You may only specify one of these parameters: charge, payment_intent.", "charge"
        )
    if intent_id:
        intent = sandbox.store.get(account, intent_id, "payment_intent")
        if intent is None:
            raise StripeError.no_such("payment_intent", intent_id, "payment_intent")
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise StripeError.invalid(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                "payment_intent",
            )
        charge_id = intent["latest_charge"]
    if not charge_id:
        raise StripeError.invalid(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            None,
            "parameter_missing",
        )
    charge = sandbox.store.get(account, charge_id, "charge")
    if charge is None:
        raise StripeError.no_such("charge", charge_id, "charge")
    if charge["status"] != "succeeded":
        raise StripeError.invalid(
            f"Charge {charge_id} has not succeeded and cannot be refunded.", "charge"
        )
    return charge


def create(
    sandbox: Sandbox, account: str, form: dict[str, Any], request: Request
) -> dict[str, Any]:
    params.known(form, CREATE_PARAMS)
    reason = params.text(form, "reason")
    if reason is not None and reason not in REASONS:
        raise StripeError.invalid(
            f"Invalid reason: must be one of {', '.join(sorted(REASONS))}", "reason"
        )
    metadata = params.metadata(form)
    with sandbox.store.lock:
        charge = find_charge(sandbox, account, form)
        refundable = charge["amount_captured"] - charge["amount_refunded"]
        currency = charge["currency"]
        if refundable <= 0:
            raise StripeError.invalid(
                f"Charge {charge['id']} has already been refunded.",
                None,
                "charge_already_refunded",
            )
        amount = params.integer(form, "amount")
        if amount is None:
            amount = refundable
        if amount <= 0:
            raise StripeError.invalid(
                "Invalid positive integer", "amount", "parameter_invalid_integer"
            )
        if amount > refundable:
            raise StripeError.invalid(
                f"Refund amount ({money.display(amount, currency)}) is greater than unrefunded "
                f"amount on charge ({money.display(refundable, currency)})",
                "amount",
                "amount_too_large",
            )
        refund_id = new_id("re_3", 24)
        transaction = charges.balance_transaction(
            sandbox, account, refund_id, -amount, currency, "refund"
        )
        refund = sandbox.store.put(
            {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "balance_transaction": transaction["id"],
                "charge": charge["id"],
                "created": sandbox.clock.seconds(),
                "currency": currency,
                "metadata": metadata,
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "receipt_number": None,
                "source_transfer_reversal": None,
                "status": "pending",
                "transfer_reversal": None,
                "_account": account,
            }
        )
        previous: dict[str, Any] = {"amount_refunded": charge["amount_refunded"]}
        was_refunded = charge["refunded"]
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        if charge["refunded"] != was_refunded:
            previous["refunded"] = was_refunded
        sandbox.store.put(charge)
        sandbox.emit(account, "charge.refunded", charge, request, previous)
        sandbox.emit(account, "refund.created", refund, request)
        sandbox.later(sandbox.refund_delay, refund_id)
        return refund


def settle(sandbox: Sandbox, refund_id: str) -> None:
    """The bank's answer: succeeded, or failed when the card refuses refunds."""
    with sandbox.store.lock:
        refund = sandbox.store.objects.get(refund_id)
        if refund is None or refund["status"] != "pending":
            return
        account = refund["_account"]
        charge = sandbox.store.objects[refund["charge"]]
        card = card_for(charge.get("_card", ""))
        if card is not None and card.refund_fails:
            failure = charges.balance_transaction(
                sandbox, account, refund_id, refund["amount"], refund["currency"], "refund_failure"
            )
            refund.update(
                status="failed",
                failure_reason="expired_or_canceled_card",
                failure_balance_transaction=failure["id"],
            )
            sandbox.store.put(refund)
            charge["amount_refunded"] -= refund["amount"]
            charge["refunded"] = False
            sandbox.store.put(charge)
            previous = {"status": "pending"}
            sandbox.emit(account, "refund.failed", refund)
            sandbox.emit(account, "refund.updated", refund, previous=previous)
            sandbox.emit(account, "charge.refund.updated", refund, previous=previous)
            return
        refund["status"] = "succeeded"
        sandbox.store.put(refund)
        previous = {"status": "pending"}
        sandbox.emit(account, "refund.updated", refund, previous=previous)
        sandbox.emit(account, "charge.refund.updated", refund, previous=previous)


def get(sandbox: Sandbox, account: str, refund_id: str) -> dict[str, Any]:
    refund = sandbox.store.get(account, refund_id, "refund")
    if refund is None:
        raise StripeError.no_such("refund", refund_id)
    return refund
