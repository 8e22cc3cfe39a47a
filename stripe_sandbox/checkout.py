"""Checkout sessions (mode=payment): creating, expiring, and paying them as the hosted page does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from stripe_sandbox import charges, customers, money, params
from stripe_sandbox.cards import DECLINE_MESSAGES, card_for
from stripe_sandbox.errors import StripeError
from stripe_sandbox.sandbox import PAGE, Request, Sandbox
from stripe_sandbox.store import new_id

MINUTE, HOUR = 60, 3600
DEFAULT_LIFETIME = 24 * HOUR
LOCALES = frozenset({
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr",
    "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt",
    "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
})  # fmt: skip
CREATE_PARAMS = {
    "mode", "line_items", "client_reference_id", "customer_email", "customer", "success_url",
    "cancel_url", "metadata", "payment_intent_data", "expires_at", "locale",
    "payment_method_types", "expand", "ui_mode", "submit_type", "customer_creation",
    "billing_address_collection",
}  # fmt: skip
AUTHENTICATION_FAILED = (
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
    "or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)


class Refused(Exception):
    """Paying is not possible: the sentence the hosted page shows."""


@dataclass
class Outcome:
    """What paying did: "paid", "declined" or "requires_action", and the page's message."""

    status: str
    session: dict[str, Any]
    message: str = ""


def url_param(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value.replace("{CHECKOUT_SESSION_ID}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StripeError.invalid("Not a valid URL", name, "url_invalid")
    return value


def line_item(sandbox: Sandbox, raw: Any, index: int) -> dict[str, Any]:
    prefix = f"line_items[{index}]"
    if not isinstance(raw, dict):
        raise StripeError.invalid(f"Invalid hash: {prefix}", prefix)
    params.known(raw, {"price_data", "quantity", "price"}, prefix)
    if "price" in raw:
        raise StripeError.invalid(
            "stripe_sandbox supports line items with price_data only, not saved prices.",
            f"{prefix}[price]",
        )
    data = raw.get("price_data")
    if not isinstance(data, dict):
        raise StripeError.invalid(
            f"You must specify either `price` or `price_data` in {prefix}.", prefix
        )
    data_prefix = f"{prefix}[price_data]"
    params.known(data, {"currency", "unit_amount", "product_data", "tax_behavior"}, data_prefix)
    currency = params.required_text(data, "currency", f"{data_prefix}[currency]").lower()
    if currency not in money.CURRENCIES:
        raise StripeError.invalid(
            f"Invalid currency: {currency}. Stripe currently supports these currencies: "
            + ", ".join(sorted(money.CURRENCIES)),
            f"{data_prefix}[currency]",
        )
    unit_amount = params.integer(data, "unit_amount", f"{data_prefix}[unit_amount]")
    if unit_amount is None:
        raise StripeError.missing_param(f"{data_prefix}[unit_amount]")
    if unit_amount < 0:
        raise StripeError.invalid(
            "This value must be greater than or equal to 0.", f"{data_prefix}[unit_amount]"
        )
    if unit_amount > money.MAXIMUM:
        raise StripeError.invalid(
            f"This value must be less than or equal to {money.MAXIMUM}.",
            f"{data_prefix}[unit_amount]",
        )
    product = data.get("product_data")
    if not isinstance(product, dict):
        raise StripeError.invalid(
            f"You must specify either `product` or `product_data` in {data_prefix}.", data_prefix
        )
    params.known(product, {"name", "description"}, f"{data_prefix}[product_data]")
    name = params.required_text(product, "name", f"{data_prefix}[product_data][name]")
    quantity = params.integer(raw, "quantity", f"{prefix}[quantity]")
    if quantity is None:
        raise StripeError.missing_param(f"{prefix}[quantity]")
    if quantity < 1:
        raise StripeError.invalid(
            "This value must be greater than or equal to 1.", f"{prefix}[quantity]"
        )
    now = sandbox.clock.seconds()
    total = unit_amount * quantity
    return {
        "id": new_id("li_1", 24),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": total,
        "amount_tax": 0,
        "amount_total": total,
        "currency": currency,
        "description": name,
        "price": {
            "id": new_id("price_1", 24),
            "object": "price",
            "active": False,
            "billing_scheme": "per_unit",
            "created": now,
            "currency": currency,
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": None,
            "metadata": {},
            "nickname": None,
            "product": new_id("prod_", 14),
            "recurring": None,
            "tax_behavior": "unspecified",
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
        },
        "quantity": quantity,
    }


def create(
    sandbox: Sandbox, account: str, form: dict[str, Any], request: Request, base_url: str
) -> dict[str, Any]:
    params.known(form, CREATE_PARAMS)
    mode = params.required_text(form, "mode")
    if mode != "payment":
        raise StripeError.invalid(
            f"stripe_sandbox supports mode=payment only, not mode={mode}.", "mode"
        )
    if params.text(form, "ui_mode") not in (None, "hosted"):
        raise StripeError.invalid("stripe_sandbox supports ui_mode=hosted only.", "ui_mode")
    raw_items = params.listed(form, "line_items")
    if not raw_items:
        raise StripeError.missing_param("line_items")
    items = [line_item(sandbox, raw, index) for index, raw in enumerate(raw_items)]
    currencies = {item["currency"] for item in items}
    if len(currencies) > 1:
        raise StripeError.invalid("All line items must use the same currency.", "line_items")
    currency = items[0]["currency"]
    total = sum(item["amount_total"] for item in items)
    if total < money.minimum(currency):
        raise StripeError.invalid(
            "The Checkout Session's total amount due must add up to at least "
            f"{money.display(money.minimum(currency), currency)}."
        )
    if total > money.MAXIMUM:
        raise StripeError.invalid(
            "The Checkout Session's total amount due must be no more than "
            f"{money.display(money.MAXIMUM, currency)}."
        )
    success_url = url_param(params.required_text(form, "success_url"), "success_url")
    cancel_url = url_param(params.text(form, "cancel_url"), "cancel_url")
    customer_email = params.text(form, "customer_email")
    customer_id = params.text(form, "customer")
    if customer_email and customer_id:
        raise StripeError.invalid(
            "You may only specify one of these parameters: customer, customer_email.",
            "customer_email",
        )
    customer = None
    if customer_id:
        customer = sandbox.store.get(account, customer_id, "customer")
        if customer is None:
            raise StripeError.no_such("customer", customer_id, "customer")
    reference = params.text(form, "client_reference_id")
    if reference is not None and len(reference) > 200:
        raise StripeError.invalid(
            "client_reference_id must be at most 200 characters long.", "client_reference_id"
        )
    locale = params.text(form, "locale")
    if locale is not None and locale not in LOCALES:
        raise StripeError.invalid(
            f"Invalid locale: {locale}. Stripe supports: {', '.join(sorted(LOCALES))}.", "locale"
        )
    for kind in params.listed(form, "payment_method_types"):
        if kind != "card":
            raise StripeError.invalid(
                "stripe_sandbox supports payment_method_types=card only.", "payment_method_types"
            )
    intent_data = form.get("payment_intent_data") or {}
    if not isinstance(intent_data, dict):
        raise StripeError.invalid("Invalid hash: payment_intent_data", "payment_intent_data")
    params.known(intent_data, {"metadata", "description"}, "payment_intent_data")
    now = sandbox.clock.seconds()
    expires_at = params.integer(form, "expires_at")
    if expires_at is None:
        expires_at = now + DEFAULT_LIFETIME
    elif expires_at < now + 30 * MINUTE:
        raise StripeError.invalid(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout Session "
            "creation.",
            "expires_at",
        )
    elif expires_at > now + DEFAULT_LIFETIME:
        raise StripeError.invalid(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            "expires_at",
        )
    submit_type = params.text(form, "submit_type")
    creation = params.text(form, "customer_creation")
    if creation is not None and creation not in ("always", "if_required"):
        raise StripeError.invalid(
            "Invalid customer_creation: must be one of always or if_required",
            "customer_creation",
        )
    if creation and customer_id:
        raise StripeError.invalid(
            "You may only specify one of these parameters: customer, customer_creation.",
            "customer_creation",
        )
    address = params.text(form, "billing_address_collection")
    if address is not None and address not in ("auto", "required"):
        raise StripeError.invalid(
            "Invalid billing_address_collection: must be one of auto or required",
            "billing_address_collection",
        )
    session_id = new_id("cs_test_a1", 48)
    email = customer_email or (customer or {}).get("email")
    session = {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": total,
        "amount_total": total,
        "automatic_tax": {"enabled": False, "status": None},
        "billing_address_collection": address,
        "cancel_url": cancel_url,
        "client_reference_id": reference,
        "consent": None,
        "consent_collection": None,
        "created": now,
        "currency": currency,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {"shipping_address": None, "submit": None},
        "customer": customer_id,
        "customer_creation": None if customer_id else (creation or "if_required"),
        # Stripe fills customer_details from what the payer enters, when the session completes.
        "customer_details": None,
        "customer_email": customer_email,
        "expires_at": expires_at,
        "invoice": None,
        "invoice_creation": None,
        "livemode": False,
        "locale": locale,
        "metadata": params.metadata(form),
        "mode": "payment",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "if_required",
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": submit_type,
        "subscription": None,
        "success_url": success_url,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": f"{base_url}/c/pay/{session_id}",
        "_account": account,
        "_email": email,  # what the hosted page's email field starts with
        "_line_items": items,
        "_intent_metadata": params.metadata(intent_data),
        "_payment_intent": None,
        "_pending": None,
    }
    sandbox.open_sessions.add(session_id)
    return sandbox.store.put(session)


def customer_details(email: str | None, name: str | None) -> dict[str, Any]:
    return {
        "address": None,
        "email": email,
        "name": name,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def get(sandbox: Sandbox, account: str, session_id: str) -> dict[str, Any]:
    session = sandbox.store.get(account, session_id, "checkout.session")
    if session is None:
        raise StripeError.no_such("checkout.session", session_id, "session")
    expire_if_due(sandbox, session)
    return session


def find(sandbox: Sandbox, session_id: str) -> dict[str, Any] | None:
    """A session by id alone, for the hosted page (its id is its secret)."""
    session = sandbox.store.objects.get(session_id)
    if session is None or session["object"] != "checkout.session":
        return None
    expire_if_due(sandbox, session)
    return session


def expire_if_due(sandbox: Sandbox, session: dict[str, Any]) -> None:
    if session["status"] == "open" and session["expires_at"] <= sandbox.clock.now():
        expire_now(sandbox, session, PAGE)


def expire_due(sandbox: Sandbox) -> None:
    now = sandbox.clock.now()
    with sandbox.store.lock:
        for session_id in list(sandbox.open_sessions):
            session = sandbox.store.objects.get(session_id)
            if session is None or session["status"] != "open":
                sandbox.open_sessions.discard(session_id)
            elif session["expires_at"] <= now:
                expire_now(sandbox, session, PAGE)


def expire(sandbox: Sandbox, account: str, session_id: str, request: Request) -> dict[str, Any]:
    with sandbox.store.lock:
        session = get(sandbox, account, session_id)
        if session["status"] != "open":
            raise StripeError.invalid(
                'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
                f"Session has a status of `{session['status']}`."
            )
        return expire_now(sandbox, session, request)


def expire_now(sandbox: Sandbox, session: dict[str, Any], request: Request) -> dict[str, Any]:
    with sandbox.store.lock:
        session["status"] = "expired"
        session["url"] = None
        session["_pending"] = None
        sandbox.store.put(session)
        intent = sandbox.store.objects.get(session["_payment_intent"] or "")
        if intent is not None and intent["status"] != "succeeded":
            intent["status"] = "canceled"
            intent["canceled_at"] = sandbox.clock.seconds()
            intent["cancellation_reason"] = "abandoned"
            intent["next_action"] = None
            sandbox.store.put(intent)
            sandbox.emit(session["_account"], "payment_intent.canceled", intent, request)
        sandbox.emit(session["_account"], "checkout.session.expired", session, request)
        return session


def line_items(session: dict[str, Any]) -> list[dict[str, Any]]:
    return list(session["_line_items"])


# Paying (the hosted page and the control endpoint)


def pay(
    sandbox: Sandbox,
    session_id: str,
    number: str,
    name: str | None = None,
    email: str | None = None,
) -> Outcome:
    with sandbox.store.lock:
        session = payable(sandbox, session_id)
        card = card_for(number)
        if card is None:
            raise Refused("Your card number is incorrect.")
        email = (email or "").strip() or session["_email"]
        if not email:
            raise Refused("Enter your email address.")
        account = session["_account"]
        intent = sandbox.store.objects.get(session["_payment_intent"] or "")
        if intent is None:
            intent = charges.payment_intent(
                sandbox,
                account,
                session["amount_total"],
                session["currency"],
                session["_intent_metadata"],
                session["customer"],
            )
            session["_payment_intent"] = intent["id"]
            sandbox.store.put(session)
            sandbox.emit(account, "payment_intent.created", intent)
        payment_method = charges.payment_method_id()
        if card.outcome == "decline":
            return decline(sandbox, session, intent, card, payment_method, name, email)
        if card.outcome == "authenticate":
            intent["status"] = "requires_action"
            intent["payment_method"] = payment_method
            intent["next_action"] = {
                "type": "use_stripe_sdk",
                "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
            }
            sandbox.store.put(intent)
            session["_pending"] = {
                "card": card.number,
                "name": name,
                "email": email,
                "payment_method": payment_method,
            }
            sandbox.store.put(session)
            return Outcome(
                "requires_action", session, "Your bank asks you to confirm this payment."
            )
        return succeed(sandbox, session, intent, card.number, payment_method, name, email)


def payable(sandbox: Sandbox, session_id: str) -> dict[str, Any]:
    session = find(sandbox, session_id)
    if session is None:
        raise Refused("This checkout page does not exist.")
    if session["status"] == "expired":
        raise Refused("This checkout session has expired. Ask the seller for a new payment link.")
    if session["status"] == "complete":
        raise Refused("This checkout session is already paid.")
    return session


def authenticate(sandbox: Sandbox, session_id: str, complete: bool) -> Outcome:
    """The 3D Secure page's answer for a session waiting on it."""
    with sandbox.store.lock:
        session = payable(sandbox, session_id)
        pending = session["_pending"]
        intent = sandbox.store.objects.get(session["_payment_intent"] or "")
        if pending is None or intent is None or intent["status"] != "requires_action":
            raise Refused("No payment of this checkout session is waiting for authentication.")
        session["_pending"] = None
        sandbox.store.put(session)
        if complete:
            return succeed(
                sandbox,
                session,
                intent,
                pending["card"],
                pending["payment_method"],
                pending["name"],
                pending["email"],
            )
        intent["status"] = "requires_payment_method"
        intent["payment_method"] = None
        intent["next_action"] = None
        intent["last_payment_error"] = {
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            "message": AUTHENTICATION_FAILED,
            "type": "invalid_request_error",
        }
        sandbox.store.put(intent)
        sandbox.emit(session["_account"], "payment_intent.payment_failed", intent)
        return Outcome(
            "declined",
            session,
            "We are unable to authenticate your payment method. Please choose a different "
            "payment method and try again.",
        )


def decline(
    sandbox: Sandbox,
    session: dict[str, Any],
    intent: dict[str, Any],
    card: Any,
    payment_method: str,
    name: str | None,
    email: str,
) -> Outcome:
    account = session["_account"]
    failed = charges.charge(
        sandbox, intent, card, payment_method, name, email, False, card.decline_code
    )
    message = DECLINE_MESSAGES.get(card.decline_code, "Your card was declined.")
    intent["status"] = "requires_payment_method"
    intent["latest_charge"] = failed["id"]
    intent["payment_method"] = None
    intent["last_payment_error"] = {
        "charge": failed["id"],
        "code": "card_declined",
        "decline_code": card.decline_code,
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": message,
        "type": "card_error",
    }
    sandbox.store.put(intent)
    sandbox.emit(account, "charge.failed", failed)
    sandbox.emit(account, "payment_intent.payment_failed", intent)
    return Outcome("declined", session, message)


def succeed(
    sandbox: Sandbox,
    session: dict[str, Any],
    intent: dict[str, Any],
    number: str,
    payment_method: str,
    name: str | None,
    email: str,
) -> Outcome:
    card = card_for(number)
    assert card is not None
    account = session["_account"]
    if session["customer_creation"] == "always" and not session["customer"]:
        # Checkout makes the customer when the payment goes through.
        made = customers.create(sandbox, account, {"email": email, "name": name})
        sandbox.emit(account, "customer.created", made)
        session["customer"] = intent["customer"] = made["id"]
    paid = charges.charge(sandbox, intent, card, payment_method, name, email, True)
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        latest_charge=paid["id"],
        payment_method=payment_method,
        next_action=None,
        last_payment_error=None,
    )
    sandbox.store.put(intent)
    session.update(
        status="complete",
        payment_status="paid",
        payment_intent=intent["id"],
        customer_details=customer_details(email, name),
        url=None,
    )
    sandbox.store.put(session)
    sandbox.emit(account, "charge.succeeded", paid)
    sandbox.emit(account, "payment_intent.succeeded", intent)
    sandbox.emit(account, "checkout.session.completed", session)
    return Outcome("paid", session)


def success_redirect(session: dict[str, Any]) -> str:
    return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
