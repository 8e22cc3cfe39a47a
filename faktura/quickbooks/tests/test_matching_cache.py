"""What one invoice costs in QuickBooks requests (bench/quickbooks.py measures it at scale): lines
whose items are linked by product sync need no SKU or name search, and a worker reuses the
customers and items it found for its next documents of the company, until something it kept
is refused."""

from typing import Any

import pytest

from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.quickbooks import documents
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.matching import item_values, link_product, product_values
from faktura.quickbooks.models import DocumentKind, QuickBooksConnection
from faktura.quickbooks.tests.conftest import new_item
from faktura.sales import services as sales
from faktura.sales.models import Deal, Product
from tests.qbo import Sandbox

pytestmark = pytest.mark.django_db


def requests_made(sandbox: Sandbox, connection: QuickBooksConnection) -> int:
    return len(sandbox.traffic()["started"].get(connection.realm_id, []))


@pytest.fixture
def linked(qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor) -> Product:
    """A product linked by product sync to its QuickBooks item."""
    product = sales.create_product(actor=system, name="Gear set", hs_sku="GEAR-1", price="120")
    item = new_item(qb, "Gear set", Sku="GEAR-1", UnitPrice="120")
    link_product(
        connection,
        product,
        item,
        synced={"faktura": product_values(product), "quickbooks": item_values(item)},
    )
    return product


def deal_for(system: Actor, contact: Contact, product: Product, name: str) -> Deal:
    line: dict[str, Any] = {"name": product.name, "unit_price": "120", "quantity": "2"}
    return sales.create_deal(
        actor=system,
        dealname=name,
        dealstage="closedwon",
        contacts=[contact],
        lines=[{**line, "product_id": product.pk, "sku": product.sku}],
    )


def invoice(connection: QuickBooksConnection, deal: Deal, system: Actor, key: str) -> Any:
    return documents.create_sales_document(
        connection=connection, record=deal, kind=DocumentKind.INVOICE, actor=system,
        request_key=key,
    )  # fmt: skip


def test_a_linked_line_needs_no_sku_or_name_search(
    sandbox: Sandbox, connection: QuickBooksConnection, linked: Product, contact: Contact,
    system: Actor,
) -> None:  # fmt: skip
    deal = deal_for(system, contact, linked, "First")
    before = requests_made(sandbox, connection)

    invoice(connection, deal, system, "cache-1")

    # Customer search, customer create, the linked item by Id, the invoice: no SKU/name search.
    assert requests_made(sandbox, connection) - before == 4


def test_the_next_invoice_for_the_same_contact_and_product_is_one_request(
    sandbox: Sandbox, connection: QuickBooksConnection, linked: Product, contact: Contact,
    system: Actor,
) -> None:  # fmt: skip
    invoice(connection, deal_for(system, contact, linked, "First"), system, "cache-2a")
    before = requests_made(sandbox, connection)

    second = invoice(connection, deal_for(system, contact, linked, "Second"), system, "cache-2b")

    assert requests_made(sandbox, connection) - before == 1  # the invoice create alone
    assert second.qbo_id


def test_a_changed_email_is_matched_again(
    sandbox: Sandbox, connection: QuickBooksConnection, linked: Product, contact: Contact,
    system: Actor,
) -> None:  # fmt: skip
    first = invoice(connection, deal_for(system, contact, linked, "First"), system, "cache-3a")
    crm.update_contact(contact, actor=system, values={"email": "ada@analytical.example"})
    contact.refresh_from_db()
    before = requests_made(sandbox, connection)

    second = invoice(connection, deal_for(system, contact, linked, "Second"), system, "cache-3b")

    # Searched (none has the new email), created twice (the first "Ada Lovelace" holds the
    # name: "Ada Lovelace (2)"), then the invoice.
    assert requests_made(sandbox, connection) - before == 4
    qb = QuickBooksClient(connection)
    customers = {
        qb.read(entity, doc.qbo_id)["CustomerRef"]["value"]
        for entity, doc in (("Invoice", first), ("Invoice", second))
    }
    assert len(customers) == 2


def test_a_customer_deleted_since_it_was_found_fails_once_then_retry_matches_afresh(
    sandbox: Sandbox, connection: QuickBooksConnection, linked: Product, contact: Contact,
    system: Actor, qb: QuickBooksClient,
) -> None:  # fmt: skip
    first = invoice(connection, deal_for(system, contact, linked, "First"), system, "cache-4a")
    customer_id = qb.read("Invoice", first.qbo_id)["CustomerRef"]["value"]
    customer = qb.read("Customer", customer_id)
    qb.update(
        "Customer",
        {"Id": customer_id, "SyncToken": customer["SyncToken"], "Active": False},
        request_id="test-delete-customer",
    )
    deal = deal_for(system, contact, linked, "Second")

    with pytest.raises(QuickBooksError):
        invoice(connection, deal, system, "cache-4b")
    retried = invoice(connection, deal, system, "cache-4b")

    assert qb.read("Invoice", retried.qbo_id)["CustomerRef"]["value"] != customer_id
