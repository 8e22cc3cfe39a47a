"""PaymentIntents, charges and balance transactions, made when a checkout session is paid."""

from __future__ import annotations

import secrets
from typing import Any

from stripe_sandbox import money
from stripe_sandbox.cards import DECLINE_MESSAGES, Card
from stripe_sandbox.sandbox import Sandbox
from stripe_sandbox.store import new_id

DAY = 86_400


def payment_intent(
    sandbox: Sandbox,
    account: str,
    amount: int,
    currency: str,
    metadata: dict[str, str],
    customer: str | None,
) -> dict[str, Any]:
    pi_id = new_id("pi_3", 24)
    return sandbox.store.put(
        {
            "id": pi_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application": None,
            "application_fee_amount": None,
            "automatic_payment_methods": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic_async",
            "client_secret": f"{pi_id}_secret_{secrets.token_urlsafe(18)}",
            "confirmation_method": "automatic",
            "created": sandbox.clock.seconds(),
            "currency": currency,
            "customer": customer,
            "description": None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": dict(metadata),
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_options": {
                "card": {
                    "installments": None,
                    "mandate_options": None,
                    "network": None,
                    "request_three_d_secure": "automatic",
                }
            },
            "payment_method_types": ["card"],
            "processing": None,
            "receipt_email": None,
            "review": None,
            "setup_future_usage": None,
            "shipping": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "requires_payment_method",
            "transfer_data": None,
            "transfer_group": None,
            "_account": account,
        }
    )


def payment_method_id() -> str:
    return new_id("pm_1", 24)


def charge(
    sandbox: Sandbox,
    intent: dict[str, Any],
    card: Card,
    payment_method: str,
    name: str | None,
    email: str | None,
    succeeded: bool,
    decline_code: str | None = None,
) -> dict[str, Any]:
    account, amount, currency = intent["_account"], intent["amount"], intent["currency"]
    charge_id = new_id("ch_3", 24)
    transaction = (
        balance_transaction(sandbox, account, charge_id, amount, currency) if succeeded else None
    )
    message = DECLINE_MESSAGES.get(decline_code or "", "Your card was declined.")
    return sandbox.store.put(
        {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount if succeeded else 0,
            "amount_refunded": 0,
            "application": None,
            "application_fee": None,
            "application_fee_amount": None,
            "balance_transaction": transaction["id"] if transaction else None,
            "billing_details": {
                "address": {
                    "city": None,
                    "country": None,
                    "line1": None,
                    "line2": None,
                    "postal_code": None,
                    "state": None,
                },
                "email": email,
                "name": name,
                "phone": None,
            },
            "calculated_statement_descriptor": "SANDBOX",
            "captured": succeeded,
            "created": sandbox.clock.seconds(),
            "currency": currency,
            "customer": intent["customer"],
            "description": None,
            "disputed": False,
            "failure_balance_transaction": None,
            "failure_code": None if succeeded else "card_declined",
            "failure_message": None if succeeded else message,
            "fraud_details": {},
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "on_behalf_of": None,
            "outcome": {
                "network_status": "approved_by_network" if succeeded else "declined_by_network",
                "reason": None if succeeded else decline_code,
                "risk_level": "normal",
                "risk_score": 17,
                "seller_message": "Payment complete."
                if succeeded
                else "The bank did not return any further details with this decline.",
                "type": "authorized" if succeeded else "issuer_declined",
            },
            "paid": succeeded,
            "payment_intent": intent["id"],
            "payment_method": payment_method,
            "payment_method_details": {
                "card": {
                    "brand": card.brand,
                    "checks": {
                        "address_line1_check": None,
                        "address_postal_code_check": None,
                        "cvc_check": "pass",
                    },
                    "country": card.country,
                    "exp_month": 12,
                    "exp_year": 2034,
                    "fingerprint": "sandbox" + card.last4,
                    "funding": card.funding,
                    "installments": None,
                    "last4": card.last4,
                    "mandate": None,
                    "network": card.brand,
                    "three_d_secure": None,
                    "wallet": None,
                },
                "type": "card",
            },
            "receipt_email": None,
            "receipt_number": None,
            "receipt_url": None,
            "refunded": False,
            "review": None,
            "shipping": None,
            "source_transfer": None,
            "statement_descriptor": None,
            "statement_descriptor_suffix": None,
            "status": "succeeded" if succeeded else "failed",
            "transfer_data": None,
            "transfer_group": None,
            "_account": account,
            "_card": card.number,
        }
    )


def balance_transaction(
    sandbox: Sandbox,
    account: str,
    source: str,
    amount: int,
    currency: str,
    kind: str = "charge",
) -> dict[str, Any]:
    """A charge's (with Stripe's card fee) or a refund's (negative, no fee) balance entry."""
    fee = money.fee(amount) if kind == "charge" else 0
    now = sandbox.clock.seconds()
    return sandbox.store.put(
        {
            "id": new_id("txn_3", 24),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": now + 2 * DAY,
            "created": now,
            "currency": currency,
            "description": None,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": [
                {
                    "amount": fee,
                    "application": None,
                    "currency": currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                }
            ]
            if fee
            else [],
            "net": amount - fee,
            "reporting_category": {"charge": "charge", "refund": "refund"}.get(
                kind, "refund_failure"
            ),
            "source": source,
            "status": "pending",
            "type": kind,
            "_account": account,
        }
    )
