"""The demo's QuickBooks company (issue 15): on the demo's first start `serve` connects a sandbox
company named after the demo account's company, chooses its defaults and syncs the demo's
products, so Settings → QuickBooks and the sandbox's pages show them straight away. It then
adds one example workflow of each kind (a won deal → invoice, a signed quote → estimate, a card
payment → sales receipt and fee expense, a refunded payment → refund receipt), turned on with
the demo records that already meet them enrolled, so the worker creates those documents in the
sandbox within seconds of the start.

Everything goes through Faktura's own services, as a person would: the OAuth consent page is
submitted over HTTP (a demo shortcut: Faktura never does this with Intuit), the code is
exchanged by `connect_company`, defaults are found in QuickBooks by name. Running it again
changes nothing: a connected company, chosen defaults, a finished sync and a workflow of the
same name are kept."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

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
from faktura.workflows import services as workflows
from faktura.workflows.models import Workflow

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
    try:
        made = _seed_quickbooks_workflows(connection, actor)
    except Exception as error:  # the company is connected; the examples can be built by hand
        page = web_url.rstrip("/") + reverse("workflows:index")
        say(
            f"QuickBooks: the example workflows were not all created: "
            f"{str(error).rstrip('.')}. Create them in Workflows ({page}); docs/quickbooks.md "
            "shows the actions."
        )
        return connection
    if made:
        say(f"QuickBooks: example workflows turned on: {', '.join(made)}.")
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


def _on(prop: str, operator: str, *values: str) -> dict[str, Any]:
    return {"property": prop, "operator": operator, "values": list(values)}


# (name, object type, filter criteria, steps): criteria rather than events, so turning them on
# enrolls the demo records that already meet them; records that start meeting them later (a
# deal won, a quote signed, a card payment, a full refund) enroll as they happen.
EXAMPLE_WORKFLOWS: tuple[tuple[str, str, list[Any], list[tuple[str, dict[str, Any]]]], ...] = (
    (
        "QuickBooks: invoice won deals",
        "deal",
        # A "Payment Link" deal (QB-8) is paid already: its card payment gets a sales receipt.
        [_on("dealstage", "any_of", "closedwon"), _on("dealname", "is_not", "Payment Link")],
        [("quickbooks_create_invoice", {"terms": "", "create_products": True})],
    ),
    (
        "QuickBooks: estimate signed quotes",
        "quote",
        [_on("hs_esign_date", "known")],
        [("quickbooks_create_estimate", {"create_products": True})],
    ),
    (
        "QuickBooks: card payments and their fees",
        "payment",
        [_on("hs_latest_status", "any_of", "succeeded"), _on("hs_fees_amount", "gt", "0")],
        [
            ("quickbooks_create_payment_sales_receipt", {"create_products": True}),
            ("quickbooks_create_expense", {"amount_property": "", "payment_account": "",
                                           "expense_account": "", "vendor": ""}),
        ],
    ),
    (
        "QuickBooks: refund receipts for refunded payments",
        "payment",
        [_on("hs_latest_status", "any_of", "refunded")],
        [("quickbooks_create_refund_receipt", {"refund_account": "",
                                               "create_products": True})],
    ),
)  # fmt: skip


def _seed_quickbooks_workflows(connection: QuickBooksConnection, actor: Actor) -> list[str]:
    """The example workflows not there yet (by name), published and turned on with the records
    that meet them enrolled; one turned on before is kept as it is. "" accounts and vendor take
    the defaults chosen above."""
    made = []
    for name, object_type, filters, steps in EXAMPLE_WORKFLOWS:
        workflow = Workflow.objects.filter(name=name).first()
        if workflow is not None and workflow.enabled_at is not None:
            continue  # turned on once: from then on it is the person's to change
        definition = {
            "triggers": {"filters": [filters], "events": []},
            "re_enrollment": {"enabled": False, "properties": []},
            "steps": [
                {
                    "id": f"s{n}",
                    "type": kind,
                    "config": {"connection": str(connection.pk), **config},
                }
                for n, (kind, config) in enumerate(steps, start=1)
            ],
        }
        if workflow is None:
            workflow = workflows.create_workflow(
                actor=actor, name=name, object_type=object_type, definition=definition
            )
        if workflow.published is None:  # a start that stopped half way goes on from there
            workflows.publish_workflow(workflow, actor=actor)
        workflows.turn_on_workflow(workflow, actor=actor, enroll_existing=True)
        made.append(name)
    return made
