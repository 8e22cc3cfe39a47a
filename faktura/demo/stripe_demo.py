"""The demo's Stripe (issue 16): on the demo's first start `serve` connects the sandbox's demo
account as a super admin would in Settings → Payments, registers this server's webhook endpoint
with it, and makes a payment link for two of the demo's products. A new user can then pay a demo
invoice on its buyer page, or buy through the link, with the test card 4242 4242 4242 4242.

Everything goes through Faktura's own services. Running it again changes nothing: a stored
connection with a webhook secret and a link of the same name are kept."""

from __future__ import annotations

from collections.abc import Callable

from faktura.accounts.models import User
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.demo.stripe_sandbox import DEMO_SECRET_KEY
from faktura.payment_links import services as payment_links
from faktura.payment_links.models import PaymentLink
from faktura.sales.models import Product
from faktura.stripe_payments import connection as stripe_connection

DEMO_LINK = "Security audit with a consulting day"


def set_up_demo_stripe(admin: User, *, web_url: str, say: Callable[[str], object]) -> None:
    actor = Actor.for_user(admin)
    try:
        view = stripe_connection.describe()
        if not view.connected:
            stripe_connection.connect(actor=actor, secret_key=DEMO_SECRET_KEY)
        if not view.webhook_secret_set:
            stripe_connection.create_webhook_endpoint(
                actor=actor, url=f"{web_url.rstrip('/')}/stripe/webhook/"
            )
        link = _demo_link(actor)
    except RuleViolation as refusal:
        say(f"Stripe sandbox: the demo could not be set up: {refusal.reason}")
        return
    say(
        "Stripe sandbox connected (Settings → Payments). Pay a demo invoice on its buyer page, "
        f"or buy at {web_url.rstrip('/')}/l/{link.token}/, with the card 4242 4242 4242 4242."
    )


def _demo_link(actor: Actor) -> PaymentLink:
    if link := PaymentLink.objects.filter(name=DEMO_LINK).first():
        return link
    products = {p.sku: p for p in Product.objects.filter(sku__in=("AUD-1", "CON-H"))}
    return payment_links.create_link(
        actor=actor,
        name=DEMO_LINK,
        currency="USD",
        items=[
            payment_links.ItemInput(product_id=products["AUD-1"].pk),
            payment_links.ItemInput(product_id=products["CON-H"].pk, quantity=8),
        ],
    )
