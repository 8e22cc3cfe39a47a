"""Stripe tests talk to a real stripe_sandbox process (tests/stripe.py), each test with a
Stripe account of its own; webhooks reach Faktura through the live server."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import OperationalError

from faktura.accounts.services import update_account_settings
from faktura.core.actors import Actor
from faktura.invoices.models import Invoice
from faktura.stripe_payments import connection
from tests.stripe import (
    Account,
    StripeSandbox,
    stripe_sandbox,  # noqa: F401  (the session's sandbox process)
)


@pytest.fixture
def stripe_account(stripe_sandbox: StripeSandbox, settings: Any) -> Account:  # noqa: F811
    """A fresh Stripe account whose key Faktura uses (as if from the environment)."""
    account = stripe_sandbox.new_account()
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = account.secret_key
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_NETWORK_RETRIES = 0
    return account


@pytest.fixture
def webhooks_on(
    stripe_account: Account,
    live_server: Any,
    stripe_sandbox: StripeSandbox,  # noqa: F811
) -> Iterator[Account]:
    """Stripe's events reach this test's live server, signed with a secret Faktura stored."""
    stripe_sandbox.normal_delivery()
    row = connection.create_webhook_endpoint(
        actor=Actor.system("tests"), url=f"{live_server.url}/stripe/webhook/"
    )
    yield stripe_account
    # No delivery may reach the live server while the test's database is flushed.
    stripe_sandbox.client(stripe_account).v1.webhook_endpoints.delete(row.webhook_endpoint_id)
    stripe_sandbox.normal_delivery()
    _wait_quiet(stripe_sandbox, stripe_account)


def _wait_quiet(sandbox: StripeSandbox, account: Account) -> None:
    """Until no delivery attempt was made for a moment (the endpoint is gone by now)."""
    seen = -1
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        count = len(sandbox.deliveries(account))
        if count == seen:
            return
        seen = count
        time.sleep(0.5)


def quiet(sandbox: StripeSandbox, account: Account, timeout: float = 30.0) -> None:
    """Wait, asking the sandbox only, until every event of the account was delivered and no
    attempt was made for a moment: Faktura answered each delivery after applying it. (The live
    server shares the test's SQLite connection: the test keeps off the database meanwhile.)"""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        pending = [e for e in sandbox.events(account) if e.get("pending_webhooks", 0) > 0]
        count = len(sandbox.deliveries(account))
        if not pending and count == seen:
            return
        seen = count
        time.sleep(0.4)
    raise AssertionError(f"Stripe's deliveries for {account.id} did not settle in {timeout}s")


def refunds_final(sandbox: StripeSandbox, account: Account, intent_id: str) -> None:
    """Wait until Stripe's refunds of a PaymentIntent are no longer pending, then deliver the
    events held meanwhile (tests hold them while they use the database) and wait for them."""

    def final() -> bool:
        found = sandbox.client(account).v1.refunds.list({"payment_intent": intent_id}).data
        return bool(found) and all(r.status in ("succeeded", "failed", "canceled") for r in found)

    sandbox.wait_for(final, what="Stripe's refunds to finish")
    sandbox.release()
    sandbox.normal_delivery()
    quiet(sandbox, account)


def settled(check: Callable[[], Any]) -> Callable[[], Any]:
    """A wait_for check that reads the database while the live server writes: SQLite's shared
    in-memory test database answers "table is locked" then, which only means not yet."""

    def attempt() -> Any:
        try:
            return check()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            return False

    return attempt


@pytest.fixture
def sender(db: None) -> None:
    """Receipts need a From address."""
    update_account_settings(actor=Actor.system("tests"), default_from_email="billing@seller.test")


@pytest.fixture
def paid_by_card(
    stripe_sandbox: StripeSandbox,  # noqa: F811
) -> Callable[..., Any]:
    """Start Pay for an invoice and pay its Stripe session with a card, as the buyer does."""
    from faktura.stripe_payments.checkout_sessions import session_for_invoice

    def pay(invoice: Invoice, card: str = "4242424242424242") -> Any:
        session = session_for_invoice(
            invoice, buyer_url=f"http://buyer.test/i/{invoice.public_token}/"
        )
        return session, stripe_sandbox.pay(session.session_id, card=card)

    return pay
