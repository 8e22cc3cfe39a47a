"""Stripe's API through the official `stripe` library (PAY-7).

Every call goes to `settings.STRIPE_API_BASE` (Stripe, or stripe_sandbox in tests and the demo)
with a timeout and the library's network retries, and every POST carries an `Idempotency-Key`
derived from what it does, so a retry after a lost answer never does the thing twice. Stripe's
errors become `StripeProblem`, with a sentence a user can read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from faktura.core.money import round_money
from faktura.core.outside import external_call


class StripeProblem(Exception):
    """A Stripe call failed. `kind`: "card", "auth", "network", "invalid" or "stripe";
    `message` is a sentence for the user; `code` is Stripe's error code, if any."""

    def __init__(self, kind: str, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.kind, self.message, self.code = kind, message, code


# Stripe's own table of decimals, which is not ISO 4217's: ISK, for one, has none in ISO but
# two at Stripe (whole krónur, times 100); every currency not listed here has two.
STRIPE_DECIMALS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
                     "UGX", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "JOD", "KWD", "OMR", "TND"), 3),
}  # fmt: skip


def to_minor(amount: Decimal, currency: str) -> int:
    """Stripe's integer amount: 12.34 USD is 1234, 1234 JPY is 1234, 1500 ISK is 150000."""
    code = currency.upper()
    scaled = round_money(amount, code).scaleb(STRIPE_DECIMALS.get(code, 2))
    if scaled != scaled.to_integral_value():
        raise StripeProblem(
            "invalid",
            _("Stripe takes %(currency)s in whole units, so %(amount)s cannot be paid online. "
            "Round the amount.") % {"currency": code, "amount": amount},
        )  # fmt: skip
    return int(scaled)


def from_minor(value: int, currency: str) -> Decimal:
    code = currency.upper()
    return round_money(Decimal(value).scaleb(-STRIPE_DECIMALS.get(code, 2)), code)


def _problem(error: stripe.StripeError) -> StripeProblem:
    said = (error.user_message or str(error) or "").strip()
    if isinstance(error, stripe.CardError):
        return StripeProblem("card", said or _("The card was declined."), code=error.code or "")
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return StripeProblem(
            "auth",
            _("Stripe did not accept the secret key (%(said)s). Check the key in Settings → "
            "Payments: it starts with sk_live_ or sk_test_ (or rk_ for a restricted key).")
            % {"said": said},
            code=error.code or "",
        )  # fmt: skip
    if isinstance(error, stripe.APIConnectionError):
        return StripeProblem(
            "network",
            _("Faktura could not reach Stripe (%(said)s). It will try again; if this goes on, "
            "check the server's internet connection.") % {"said": said},
        )  # fmt: skip
    if isinstance(error, stripe.InvalidRequestError | stripe.IdempotencyError):
        return StripeProblem(
            "invalid", _("Stripe refused the request: %(said)s") % {"said": said},
            code=error.code or "",
        )  # fmt: skip
    return StripeProblem(
        "stripe",
        _("Stripe answered with an error (%(said)s). Try again in a few minutes.") % {"said": said},
        code=error.code or "",
    )


class Stripe:
    """The calls Faktura makes, each with its derived idempotency key (POSTs)."""

    def __init__(self, secret_key: str) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=settings.STRIPE_NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
        )

    def _call(self, method: Any, *args: Any, key: str = "", **params: Any) -> Any:
        options: dict[str, Any] = {"idempotency_key": key} if key else {}
        try:
            with external_call("Stripe"):
                answer = method(*args, params=params or None, options=options or None)
        except stripe.StripeError as error:
            raise _problem(error) from error
        # Plain dicts from here on: the library's objects are not mappings.
        return answer.to_dict() if hasattr(answer, "to_dict") else answer

    def account(self) -> Any:
        return self._call(self._client.v1.accounts.retrieve_current)

    def create_webhook_endpoint(self, url: str, events: list[str], *, key: str) -> Any:
        return self._call(
            self._client.v1.webhook_endpoints.create, key=key, url=url, enabled_events=events
        )

    def create_session(self, *, key: str, **params: Any) -> Any:
        return self._call(self._client.v1.checkout.sessions.create, key=key, **params)

    def retrieve_session(self, session_id: str, *, expand: list[str] | None = None) -> Any:
        if expand:
            return self._call(self._client.v1.checkout.sessions.retrieve, session_id, expand=expand)
        return self._call(self._client.v1.checkout.sessions.retrieve, session_id)

    def list_sessions(self, *, payment_intent: str) -> Any:
        return self._call(self._client.v1.checkout.sessions.list, payment_intent=payment_intent)

    def expire_session(self, session_id: str, *, key: str) -> Any:
        return self._call(self._client.v1.checkout.sessions.expire, session_id, key=key)

    def retrieve_payment_intent(self, intent_id: str, *, expand: list[str] | None = None) -> Any:
        if expand:
            return self._call(self._client.v1.payment_intents.retrieve, intent_id, expand=expand)
        return self._call(self._client.v1.payment_intents.retrieve, intent_id)

    def retrieve_charge(self, charge_id: str, *, expand: list[str] | None = None) -> Any:
        if expand:
            return self._call(self._client.v1.charges.retrieve, charge_id, expand=expand)
        return self._call(self._client.v1.charges.retrieve, charge_id)

    def retrieve_balance_transaction(self, transaction_id: str) -> Any:
        return self._call(self._client.v1.balance_transactions.retrieve, transaction_id)

    def create_refund(self, *, key: str, **params: Any) -> Any:
        return self._call(self._client.v1.refunds.create, key=key, **params)

    def retrieve_refund(self, refund_id: str) -> Any:
        return self._call(self._client.v1.refunds.retrieve, refund_id)

    def list_refunds(self, *, payment_intent: str) -> Any:
        return self._call(self._client.v1.refunds.list, payment_intent=payment_intent, limit=100)


class BadSignature(Exception):
    """A webhook payload whose signature or timestamp does not check out."""


def verify_event(payload: bytes, signature: str, secret: str, tolerance: int) -> None:
    """Stripe's own check: HMAC-SHA256 of "<t>.<payload>", compared in constant time, with the
    timestamp at most `tolerance` seconds old. No network call."""
    try:
        stripe.Webhook.construct_event(payload.decode("utf-8"), signature, secret, tolerance)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from error


def field(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a Stripe object or plain dict, None-safe."""
    if obj is None:
        return default
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def object_id(value: Any) -> str:
    """An expandable field: the id whether Stripe sent the id or the expanded object."""
    if isinstance(value, str):
        return value
    return str(field(value, "id", ""))
