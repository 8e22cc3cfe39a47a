"""The account's Stripe connection (PAY-1): keys from the environment (which win) or stored
encrypted in Settings → Payments, checked with Stripe before they are kept; the webhook endpoint
registered through the API; disconnecting. The only module that reads or writes the keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.actors import Actor
from faktura.core.encryption import decrypt, encrypt
from faktura.core.errors import RuleViolation, require
from faktura.history import services as history
from faktura.stripe_payments import rules
from faktura.stripe_payments.client import Stripe, StripeProblem, field
from faktura.stripe_payments.models import StripeConnection

# The events Faktura applies; the webhook endpoint is registered for these (docs/payments.md).
WEBHOOK_EVENTS = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.succeeded",
    "charge.refunded",
    "refund.created",
    "refund.updated",
]
KEY_PREFIXES = ("sk_live_", "sk_test_", "rk_live_", "rk_test_")


@dataclass(frozen=True)
class ConnectionView:
    """What Settings → Payments shows: never a key, only its hint."""

    connected: bool
    key_hint: str
    key_from_environment: bool
    webhook_secret_set: bool
    webhook_secret_from_environment: bool
    account_id: str
    account_name: str
    livemode: bool
    row: StripeConnection | None


def _row() -> StripeConnection | None:
    return StripeConnection.objects.filter(pk=1).first()


def secret_key() -> str:
    if settings.STRIPE_SECRET_KEY:
        return str(settings.STRIPE_SECRET_KEY)
    row = _row()
    return decrypt(row.secret_key) if row and row.secret_key else ""


def webhook_secret() -> str:
    if settings.STRIPE_WEBHOOK_SECRET:
        return str(settings.STRIPE_WEBHOOK_SECRET)
    row = _row()
    return decrypt(row.webhook_secret) if row and row.webhook_secret else ""


def is_connected() -> bool:
    return (
        bool(settings.STRIPE_SECRET_KEY)
        or StripeConnection.objects.filter(pk=1).exclude(secret_key="").exists()
    )


def stripe() -> Stripe:
    key = secret_key()
    if not key:
        raise RuleViolation(
            _("Stripe is not connected. A super admin connects it in Settings → Payments."),
            code="not_connected",
        )
    return Stripe(key)


def key_hint(key: str) -> str:
    prefix = next((p for p in KEY_PREFIXES if key.startswith(p)), key[:3])
    return f"{prefix}…{key[-4:]}"


def describe() -> ConnectionView:
    row = _row()
    env_key = str(settings.STRIPE_SECRET_KEY or "")
    return ConnectionView(
        connected=is_connected(),
        key_hint=key_hint(env_key) if env_key else (row.key_hint if row else ""),
        key_from_environment=bool(env_key),
        webhook_secret_set=bool(settings.STRIPE_WEBHOOK_SECRET or (row and row.webhook_secret)),
        webhook_secret_from_environment=bool(settings.STRIPE_WEBHOOK_SECRET),
        account_id=row.account_id if row else "",
        account_name=row.account_name if row else "",
        livemode=row.livemode if row else env_key.startswith(("sk_live_", "rk_live_")),
        row=row,
    )


def _check_key_format(key: str) -> None:
    if not key.startswith(KEY_PREFIXES) or len(key) < 16 or any(c.isspace() for c in key):
        raise RuleViolation(
            _("“%(hint)s” is not a Stripe secret key. Copy the secret key from Stripe's "
            "Developers → API keys page: it starts with sk_live_ or sk_test_ (or rk_ for a "
            "restricted key).") % {"hint": key[:12] + ("…" if len(key) > 12 else "")},
            code="invalid_key",
        )  # fmt: skip


def connect(*, actor: Actor, secret_key: str, webhook_secret: str = "") -> StripeConnection:
    """Keep the key once Stripe accepted it (GET /v1/account); the webhook secret is optional
    (the endpoint button stores it)."""
    require(rules.can_manage_stripe(actor))
    key = secret_key.strip()
    signing = webhook_secret.strip()
    _check_key_format(key)
    if signing and not signing.startswith("whsec_"):
        raise RuleViolation(
            _("The webhook signing secret starts with whsec_. Copy it from the endpoint's page in "
            "Stripe (Developers → Webhooks), or leave it empty and use “Create the webhook "
            "endpoint in Stripe”."), code="invalid_webhook_secret",
        )  # fmt: skip
    try:
        account = Stripe(key).account()
    except StripeProblem as problem:
        if problem.kind == "network":
            raise RuleViolation(
                _("Faktura could not reach Stripe at %(base)s, so nothing was saved. Check the "
                "server's internet connection (and STRIPE_API_BASE), then connect again.")
                % {"base": settings.STRIPE_API_BASE},
                code="unreachable",
            ) from problem  # fmt: skip
        raise RuleViolation(
            _("Stripe did not accept this key, so nothing was saved: %(message)s")
            % {"message": problem.message},
            code="invalid_key",
        ) from problem
    name = str(
        field(field(field(account, "settings"), "dashboard"), "display_name", "")
        or field(field(account, "business_profile"), "name", "")
    )
    with transaction.atomic():
        row, _created = StripeConnection.objects.select_for_update().get_or_create(pk=1)
        row.secret_key = encrypt(key)
        row.key_hint = key_hint(key)
        if signing:
            row.webhook_secret = encrypt(signing)
        elif row.account_id and row.account_id != str(field(account, "id", "")):
            row.webhook_secret, row.webhook_endpoint_id = "", ""  # another account's endpoint
        row.account_id = str(field(account, "id", ""))
        row.account_name = name or row.account_id
        row.livemode = key.startswith(("sk_live_", "rk_live_"))
        row.connected_by = actor.user  # type: ignore[assignment]
        row.connected_at = timezone.now()
        row.save()
        history.record_event(
            row,
            "stripe.connected",
            actor=actor,
            data={"account_id": row.account_id, "key": row.key_hint, "live": row.livemode},
        )
    return row


def create_webhook_endpoint(*, actor: Actor, url: str) -> StripeConnection:
    """Register Faktura's webhook URL in the connected Stripe account and keep the signing
    secret Stripe shows only in this answer."""
    require(rules.can_manage_stripe(actor))
    if not url.startswith(("https://", "http://")):
        raise RuleViolation(_("The webhook URL must start with https://."), code="invalid_url")
    client = stripe()
    account = _row()
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    key = f"faktura-webhook-endpoint-{account.account_id if account else 'env'}-{digest}"
    try:
        endpoint = client.create_webhook_endpoint(url, WEBHOOK_EVENTS, key=key)
    except StripeProblem as problem:
        raise RuleViolation(
            _("Stripe did not create the webhook endpoint: %(message)s")
            % {"message": problem.message},
            code="stripe_error",
        ) from problem
    signing = str(field(endpoint, "secret", ""))
    if not signing:
        raise RuleViolation(
            _("Stripe created the endpoint but did not return its signing secret. Open the "
            "endpoint in Stripe (Developers → Webhooks), reveal the secret and paste it here."),
            code="stripe_error",
        )  # fmt: skip
    with transaction.atomic():
        row, _created = StripeConnection.objects.select_for_update().get_or_create(pk=1)
        row.webhook_secret = encrypt(signing)
        row.webhook_endpoint_id = str(field(endpoint, "id", ""))
        row.save(update_fields=["webhook_secret", "webhook_endpoint_id"])
        history.record_event(
            row,
            "stripe.webhook_endpoint_created",
            actor=actor,
            data={"endpoint_id": row.webhook_endpoint_id, "url": url},
        )
    return row


def disconnect(*, actor: Actor) -> None:
    """Forget the stored keys. Keys from the environment stay until the server's settings
    change."""
    require(rules.can_manage_stripe(actor))
    with transaction.atomic():
        row = StripeConnection.objects.select_for_update().filter(pk=1).first()
        if row is None:
            return
        history.record_event(
            row, "stripe.disconnected", actor=actor, data={"account_id": row.account_id}
        )
        row.delete()
