"""The demo's QuickBooks company (issue 15): on the demo's first start `serve` connects a sandbox
company named after the demo account's company, chooses its defaults and syncs the demo's
products, so Settings → QuickBooks and the sandbox's pages show them straight away.

Everything goes through Faktura's own services, as a person would: the OAuth consent page is
submitted over HTTP (a demo shortcut: Faktura never does this with Intuit), the code is
exchanged by `connect_company`, defaults are found in QuickBooks by name. Running it again
changes nothing: a connected company, chosen defaults and a finished sync are kept."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.urls import reverse

from faktura.accounts.models import User
from faktura.accounts.services import get_account_settings
from faktura.core.actors import Actor
from faktura.demo import quickbooks_sandbox
from faktura.quickbooks import oauth, services
from faktura.quickbooks.client import QuickBooksClient, quote
from faktura.quickbooks.models import (
    ConnectionStatus,
    ProductSyncRun,
    QuickBooksConnection,
    SyncStatus,
)
from faktura.quickbooks.product_sync import request_product_sync, run_product_sync

# The accounts of Intuit's sample company each default is, by name.
DEFAULT_ACCOUNTS = {
    "income_account": "Services",
    "deposit_account": "Undeposited Funds",
    "fee_expense_account": "Bank Charges",
    "fee_payment_account": "Checking",
    "refund_account": "Checking",
}
FEE_VENDOR = "Stripe"


def set_up_demo_quickbooks(
    admin: User, *, web_url: str, say: Callable[[str], None]
) -> QuickBooksConnection | None:
    """Connect, choose defaults, sync products; `say` tells what happened, or what failed and
    what to do instead. Never raises: the demo starts either way."""
    actor = Actor.for_user(admin)
    try:
        connection = _connected_company(actor, web_url)
        _choose_defaults(connection, actor)
        run = _synced_products(connection, actor)
    except Exception as error:  # whatever failed, the demo starts; a person connects by hand
        page = web_url.rstrip("/") + reverse("quickbooks:connections")
        say(
            f"QuickBooks: the demo company was not connected: {str(error).rstrip('.')}. "
            f"Connect one by hand in Settings → QuickBooks ({page})."
        )
        return None
    say(
        f"QuickBooks: the sandbox company {connection.company_name} is connected; product "
        f"sync: {run.message}"
    )
    return connection


def _connected_company(actor: Actor, web_url: str) -> QuickBooksConnection:
    name = get_account_settings().company_name
    kept = QuickBooksConnection.objects.filter(
        company_name=name, status=ConnectionStatus.CONNECTED
    ).first()
    if kept is not None:
        return kept
    # The address Faktura's own callback has when served at `web_url` (`serve`'s port).
    redirect_uri = web_url.rstrip("/") + reverse("quickbooks:callback")
    state = secrets.token_urlsafe(16)
    url = oauth.authorize_url(state=state, redirect_uri=redirect_uri)
    # The sandbox's data file keeps the company: a restart connects the same one again.
    back = quickbooks_sandbox.consent(url, company_name=name, decision="connect")
    if back.get("state") != state or "code" not in back:
        raise quickbooks_sandbox.ConsentRefused(f"the consent page sent back {back}")
    return services.connect_company(
        actor=actor, code=back["code"], realm_id=back.get("realmId", ""), redirect_uri=redirect_uri
    )


def _choose_defaults(connection: QuickBooksConnection, actor: Actor) -> None:
    """The defaults not chosen yet (a person's choice is kept), read from QuickBooks by name."""
    client = QuickBooksClient(connection, max_wait=10)
    values: dict[str, tuple[str, str]] = {}
    for default, account in DEFAULT_ACCOUNTS.items():
        if not getattr(connection, f"{default}_id"):
            values[default] = _find(client, "Account", "Name", account)
    if not connection.fee_vendor_id:
        values["fee_vendor"] = _fee_vendor(client)
    if values:
        services.set_connection_defaults(connection, actor=actor, values=values)
        connection.refresh_from_db()


def _find(client: QuickBooksClient, entity: str, field: str, name: str) -> tuple[str, str]:
    found = _lookup(client, entity, field, name)
    if found is None:
        raise LookupError(f"the QuickBooks company has no {entity} named {name}")
    return found


def _lookup(client: QuickBooksClient, entity: str, field: str, name: str) -> tuple[str, str] | None:
    rows = client.query(f"SELECT * FROM {entity} WHERE {field} = {quote(name)}")
    return (str(rows[0]["Id"]), name) if rows else None


def _fee_vendor(client: QuickBooksClient) -> tuple[str, str]:
    """The sample company's vendor for the payment processor, made the first time."""
    found = _lookup(client, "Vendor", "DisplayName", FEE_VENDOR)
    if found is not None:
        return found
    vendor = client.create(
        "Vendor", {"DisplayName": FEE_VENDOR}, request_id="faktura-demo-fee-vendor"
    )
    return str(vendor["Id"]), FEE_VENDOR


def _synced_products(connection: QuickBooksConnection, actor: Actor) -> ProductSyncRun:
    """The connection's finished sync, else one run now, in this process."""
    done = ProductSyncRun.objects.filter(connection=connection, status=SyncStatus.DONE).first()
    if done is not None:
        return done
    return run_product_sync(request_product_sync(connection, actor=actor, enqueue=False).pk)
