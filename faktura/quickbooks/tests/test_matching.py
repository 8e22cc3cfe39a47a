"""Customer matching (QB-3) and item matching (QB-4a, QB-4) against the sandbox."""

from decimal import Decimal
from typing import Any

import pytest
import requests

from faktura.core.actors import Actor
from faktura.crm import services as crm
from faktura.crm.models import Contact
from faktura.quickbooks.client import QuickBooksClient
from faktura.quickbooks.matching import (
    DefaultMissing,
    ItemNotFound,
    Matcher,
    contact_for,
)
from faktura.quickbooks.models import ProductLink, QuickBooksConnection
from faktura.quickbooks.tests.conftest import change_item, new_item
from faktura.sales import services as sales
from faktura.sales.models import Deal, LineItem, Product

pytestmark = pytest.mark.django_db


class CountingSession(requests.Session):
    """Counts the API requests a client sends (the bench counts them per document)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(f"{method!s} {url!s}")
        return super().request(method, url, *args, **kwargs)


def found_id(matcher: Matcher, line: LineItem) -> Any:
    """The Id of the item `line` matches; None when none does."""
    item = matcher.item(line)
    return item["Id"] if item else None


def line_of(system: Actor, **values: Any) -> LineItem:
    deal = sales.create_deal(
        actor=system, dealname="Engine", lines=[{"unit_price": "10.00", **values}]
    )
    return deal.line_items.get()


# -- QB-3: customers --------------------------------------------------------------------------


def test_customer_matching_all_three_fields_is_used(
    qb: QuickBooksClient, contact: Contact
) -> None:  # SPEC QB-3
    existing = qb.create(
        "Customer",
        {"GivenName": "Ada", "FamilyName": "Lovelace", "DisplayName": "Lady Ada",
         "PrimaryEmailAddr": {"Address": "ADA@example.com "}},
        request_id="test-ada",
    )  # fmt: skip
    found = Matcher(qb).customer(contact, request_id="run-1-customer")
    assert found["Id"] == existing["Id"]


def test_same_name_other_email_makes_a_new_customer_with_a_suffix(
    qb: QuickBooksClient, contact: Contact
) -> None:  # SPEC QB-3
    other = qb.create(
        "Customer",
        {"GivenName": "Ada", "FamilyName": "Lovelace", "DisplayName": "Ada Lovelace",
         "PrimaryEmailAddr": {"Address": "countess@example.com"}},
        request_id="test-other-ada",
    )  # fmt: skip
    created = Matcher(qb).customer(contact, request_id="run-2-customer")
    assert created["Id"] != other["Id"]
    # The display name was taken: a suffix rather than a failure.
    assert created["DisplayName"] == "Ada Lovelace (2)"
    assert created["PrimaryEmailAddr"]["Address"] == "ada@example.com"
    assert (created["GivenName"], created["FamilyName"]) == ("Ada", "Lovelace")
    # Found, not created, the next time (a new client: nothing cached).
    again = Matcher(QuickBooksClient(qb.connection)).customer(contact, request_id="run-3-customer")
    assert again["Id"] == created["Id"]


def test_a_name_taken_by_a_vendor_also_gets_a_suffix(
    qb: QuickBooksClient, contact: Contact
) -> None:  # SPEC QB-3
    qb.create("Vendor", {"DisplayName": "Ada Lovelace"}, request_id="test-vendor-ada")
    qb.create("Customer", {"DisplayName": "Ada Lovelace (2)"}, request_id="test-customer-ada-2")
    created = Matcher(qb).customer(contact, request_id="run-4-customer")
    assert created["DisplayName"] == "Ada Lovelace (3)"


def test_a_contact_without_a_name_is_named_by_email(
    qb: QuickBooksClient, system: Actor
) -> None:  # SPEC QB-3
    nameless = crm.create_contact(actor=system, email="billing@engines.test")
    created = Matcher(qb).customer(nameless, request_id="run-5-customer")
    assert created["DisplayName"] == "billing@engines.test"
    again = Matcher(QuickBooksClient(qb.connection)).customer(nameless, request_id="run-6-customer")
    assert again["Id"] == created["Id"]


def test_the_oldest_association_is_the_contact(
    system: Actor, contact: Contact, grace: Contact
) -> None:  # SPEC QB-3
    deal = sales.create_deal(actor=system, dealname="Engine", contacts=[grace])
    sales.add_deal_contact(deal, contact, actor=system)
    assert contact_for(deal) == grace
    bare = sales.create_deal(actor=system, dealname="Second engine")
    quote = sales.create_quote(actor=system, hs_title="Engine quote", deal=bare)
    sales.add_quote_contact(quote, contact, actor=system)
    sales.add_quote_contact(quote, grace, actor=system)
    assert contact_for(quote) == contact
    assert contact_for(sales.create_deal(actor=system, dealname="Alone")) is None


# -- QB-4a: items -----------------------------------------------------------------------------


def test_link_beats_sku_beats_name(
    qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor, product: Product
) -> None:  # SPEC QB-4a
    by_name = new_item(qb, "Support plan")
    by_sku = new_item(qb, "Support (SKU)", Sku="SUP-1")
    linked = new_item(qb, "Support (linked)")
    line = line_of(system, name="Support plan", product_id=product.pk, sku="SUP-1")
    matcher = Matcher(qb, connection)
    assert found_id(matcher, line) == by_sku["Id"]
    ProductLink.objects.create(
        connection=connection, product=product, item_id=linked["Id"], item_name="x",
        synced_at=product.created_at,
    )  # fmt: skip
    assert found_id(Matcher(QuickBooksClient(connection), connection), line) == linked["Id"]
    plain = line_of(system, name="Support plan")
    assert found_id(matcher, plain) == by_name["Id"]
    assert found_id(matcher, line_of(system, name="Nothing like it")) is None


def test_a_deleted_linked_item_no_longer_matches(
    qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor, product: Product
) -> None:  # SPEC QB-4a
    linked = new_item(qb, "Old support")
    change_item(qb, linked["Id"], Active=False)  # QuickBooks' delete of an item
    ProductLink.objects.create(
        connection=connection, product=product, item_id=linked["Id"], item_name="Old support",
        synced_at=product.created_at,
    )  # fmt: skip
    by_name = new_item(qb, "Support plan")
    line = line_of(system, name="Support plan", product_id=product.pk)
    line.sku = ""
    assert found_id(Matcher(qb, connection), line) == by_name["Id"]


def test_twenty_lines_of_one_product_ask_quickbooks_once(
    connection: QuickBooksConnection, system: Actor, product: Product
) -> None:  # SPEC QB-4a
    session = CountingSession()
    qb = QuickBooksClient(connection, session=session)
    item = new_item(QuickBooksClient(connection), "Support plan", Sku="SUP-1")
    deal: Deal = sales.create_deal(
        actor=system, dealname="Many",
        lines=[{"name": "Support plan", "product_id": product.pk, "unit_price": "80"}] * 20,
    )  # fmt: skip
    lines = list(deal.line_items.all())
    matcher = Matcher(qb, connection)
    assert {(matcher.item(line) or {}).get("Id") for line in lines} == {item["Id"]}
    assert len(session.sent) == 1  # the SKU's query; the name was not needed
    # Linked by product sync: prefetching reads the links' items in one query.
    ProductLink.objects.create(
        connection=connection, product=product, item_id=item["Id"], item_name="Support plan",
        synced_at=product.created_at,
    )  # fmt: skip
    session.sent.clear()
    matcher = Matcher(qb, connection)
    matcher.prefetch_items(lines)
    prefetched = len(session.sent)
    assert {(matcher.item(line) or {}).get("Id") for line in lines} == {item["Id"]}
    assert len(session.sent) == prefetched <= 3
    # Without prefetching, one matcher still reads the linked item once.
    other = CountingSession()
    unprefetched = Matcher(QuickBooksClient(connection, session=other), connection)
    for line in lines:
        assert found_id(unprefetched, line) == item["Id"]
    assert len(other.sent) == 1


# -- QB-4: missing items ----------------------------------------------------------------------


def test_no_match_without_create_names_the_line(
    qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor
) -> None:  # SPEC QB-4
    line = line_of(system, name="Flux capacitor", sku="FX-88")
    with pytest.raises(ItemNotFound) as refused:
        Matcher(qb, connection).item_or_create(line, create=False, request_id="run-7-l1")
    message = str(refused.value)
    assert "Flux capacitor" in message
    assert "FX-88" in message
    assert "Settings → QuickBooks" in message
    assert "create the product in QuickBooks" in message
    assert not refused.value.retryable
    assert qb.query("SELECT * FROM Item WHERE Name = 'Flux capacitor'") == []


def test_create_makes_a_service_item_with_the_income_account_and_links_it(
    qb: QuickBooksClient, income: QuickBooksConnection, system: Actor, product: Product
) -> None:  # SPEC QB-4
    line = line_of(system, name="Support plan", product_id=product.pk)
    item = Matcher(qb, income).item_or_create(line, create=True, request_id="run-8-l1")
    assert item["Type"] == "Service"
    assert item["IncomeAccountRef"]["value"] == "1"
    assert (item["Name"], item["Sku"], item["UnitPrice"]) == ("Support plan", "SUP-1", 80)
    link = ProductLink.objects.get(connection=income, product=product)
    assert link.item_id == item["Id"]
    # The same request id again (a retried action) answers the first item, not a second one.
    again = Matcher(QuickBooksClient(income), income).item_or_create(
        line, create=True, request_id="run-8-l1"
    )
    assert again["Id"] == item["Id"]
    assert len(qb.query("SELECT * FROM Item WHERE Name = 'Support plan'")) == 1
    assert Decimal(str(item["UnitPrice"])) == Decimal("80")


def test_create_without_an_income_account_is_refused_clearly(
    qb: QuickBooksClient, connection: QuickBooksConnection, system: Actor
) -> None:  # SPEC QB-4
    line = line_of(system, name="Flux capacitor")
    with pytest.raises(DefaultMissing) as refused:
        Matcher(qb, connection).item_or_create(line, create=True, request_id="run-9-l1")
    assert "income account" in str(refused.value)
    assert "Settings → QuickBooks" in str(refused.value)
