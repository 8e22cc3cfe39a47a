"""Which QuickBooks customer and items a deal's or quote's document uses: the customer whose
first name, last name and email all match the contact, else a new one (QB-3); for each line item
the item linked by product sync, else the one with its SKU, else the one with its exact name
(QB-4a), else a new item when the action allows it (QB-4).

A `Matcher` holds what it has read for one client, so a document with 20 lines of the same
product asks QuickBooks once. A matcher made
with `shared=True` (documents.py's) also keeps the customers and linked items it found in a
per-process cache of the company for CACHE_SECONDS, so a worker making many documents for the
same contacts and products asks once per contact and item, not once per document."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from faktura.core.record_services import primary_associated
from faktura.crm.models import Contact
from faktura.quickbooks.client import QuickBooksClient, quote
from faktura.quickbooks.errors import QuickBooksError
from faktura.quickbooks.models import ProductLink, QuickBooksConnection
from faktura.quickbooks.request_ids import derived_request_id
from faktura.sales.models import Deal, LineItem, Product, Quote

# Item types a sales line can name (a Category or a Group cannot be sold as one line).
SELLABLE_TYPES = frozenset({"Service", "NonInventory", "Inventory"})
SYNCED_FIELDS = ("name", "sku", "description", "unit_price")
# QuickBooks' longest Item Name and Sku, and its longest Description.
ITEM_NAME_LENGTH = 100
ITEM_DESCRIPTION_LENGTH = 4000
MAX_NAME_ATTEMPTS = 20
DUPLICATE_NAME = "6240"
NOT_FOUND = "610"
# How long a worker reuses a customer or linked item it found for later documents. A customer or
# item deleted in QuickBooks meanwhile makes the create fail; the cache is then dropped
# (forget_company), so Retry matches afresh.
CACHE_SECONDS = 15 * 60
CACHE_ENTRIES = 20_000  # per company and kind; past it the expired entries go, else all


class ItemNotFound(QuickBooksError):
    """A line item with no QuickBooks item, and the action may not create one (QB-4)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class DefaultMissing(QuickBooksError):
    """The connection lacks a default that a write needs; a person must choose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def _plain(amount: Any) -> str:
    number = Decimal(str(amount if amount not in (None, "") else 0))
    return format(number.normalize(), "f") if number else "0"


def product_values(product: Product) -> dict[str, str]:
    """What product sync compares, as text."""
    return {
        "name": product.name.strip(),
        "sku": product.sku.strip(),
        "description": product.description.strip(),
        "unit_price": _plain(product.unit_price),
    }


def item_values(item: Mapping[str, Any]) -> dict[str, str]:
    return {
        "name": str(item.get("Name") or "").strip(),
        "sku": str(item.get("Sku") or "").strip(),
        "description": str(item.get("Description") or "").strip(),
        "unit_price": _plain(item.get("UnitPrice")),
    }


def item_fields(values: Mapping[str, str]) -> dict[str, Any]:
    """The Item fields for `values` (product_values' keys), within QuickBooks' lengths."""
    fields: dict[str, Any] = {}
    if "name" in values:
        fields["Name"] = values["name"][:ITEM_NAME_LENGTH]
    if "sku" in values:
        fields["Sku"] = values["sku"][:ITEM_NAME_LENGTH]
    if "description" in values:
        fields["Description"] = values["description"][:ITEM_DESCRIPTION_LENGTH]
    if "unit_price" in values:
        fields["UnitPrice"] = Decimal(values["unit_price"])
    return fields


def require_income_account(connection: QuickBooksConnection) -> dict[str, str]:
    if not connection.income_account_id:
        raise DefaultMissing(
            _("Faktura cannot create products in the QuickBooks company %(name)s: it has no "
            "default income account. Choose one in Settings → QuickBooks, then try again.")
            % {"name": connection.company_name}
        )  # fmt: skip
    return {"value": connection.income_account_id}


def is_sellable(item: Mapping[str, Any] | None) -> bool:
    if not item:
        return False
    return item.get("Active", True) is not False and item.get("Type") in SELLABLE_TYPES


def link_product(
    connection: QuickBooksConnection,
    product: Product,
    item: Mapping[str, Any],
    *,
    synced: Mapping[str, Mapping[str, str]],
) -> ProductLink:
    """Tie `product` to `item` (replacing a link either had in this company); `synced` holds the
    values both had: {"faktura": {…}, "quickbooks": {…}}."""
    ProductLink.objects.filter(connection=connection).filter(
        models.Q(product=product) | models.Q(item_id=str(item["Id"]))
    ).delete()
    return ProductLink.objects.create(
        connection=connection,
        product=product,
        item_id=str(item["Id"]),
        item_name=str(item.get("Name", ""))[:200],
        synced_values=dict(synced),
        synced_at=timezone.now(),
    )


def contact_for(record: Deal | Quote) -> Contact | None:
    """The contact a QuickBooks document is for: the primary one, the oldest association (QB-3;
    declared by sales' record services)."""
    contact = primary_associated(record, "contacts")
    return contact if isinstance(contact, Contact) else None


def _same(left: Any, right: Any) -> bool:
    return str(left or "").strip().casefold() == str(right or "").strip().casefold()


class _Found:
    """What this process found in one company (customers by contact, items by Id), each for
    CACHE_SECONDS."""

    def __init__(self) -> None:
        self.customers: dict[tuple[int, str, str, str], tuple[float, dict[str, Any]]] = {}
        self.items: dict[str, tuple[float, dict[str, Any]]] = {}

    @staticmethod
    def get(table: dict[Any, tuple[float, dict[str, Any]]], key: Any) -> dict[str, Any] | None:
        entry = table.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    @staticmethod
    def put(table: dict[Any, tuple[float, dict[str, Any]]], key: Any, row: dict[str, Any]) -> None:
        now = time.monotonic()
        if len(table) >= CACHE_ENTRIES:
            for old in [k for k, (until, _) in table.items() if until < now]:
                del table[old]
            if len(table) >= CACHE_ENTRIES:
                table.clear()
        table[key] = (now + CACHE_SECONDS, row)


# Keyed by connection and realm: a reconnected or recreated connection starts empty.
_found: dict[tuple[int, str], _Found] = {}


def forget_company(connection: QuickBooksConnection) -> None:
    """Drop what this process kept of the company (a write was refused: maybe over something
    deleted in QuickBooks since it was found)."""
    _found.pop((connection.pk, connection.realm_id), None)


class Matcher:
    """Customer and item matching for one client, with what it read kept for reuse."""

    def __init__(
        self,
        client: QuickBooksClient,
        connection: QuickBooksConnection | None = None,
        *,
        shared: bool = False,
    ):
        self.client = client
        self.connection = connection or client.connection
        key = (self.connection.pk, self.connection.realm_id)
        self._found = _found.setdefault(key, _Found()) if shared else _Found()
        self._customers: dict[int, dict[str, Any]] = {}
        self._items_by_id: dict[str, dict[str, Any] | None] = {}
        self._items_by_key: dict[tuple[str, str], dict[str, Any] | None] = {}
        self._links: dict[int, str | None] = {}

    # -- customers (QB-3) ----------------------------------------------------------------------

    def customer(self, contact: Contact, *, request_id: str) -> dict[str, Any]:
        if contact.pk in self._customers:
            return self._customers[contact.pk]
        # A changed name or email is another key: it is matched again.
        key = (contact.pk, contact.first_name, contact.last_name, contact.email)
        customer = self._found.get(self._found.customers, key)
        if customer is None:
            found = self._matching_customer(contact)
            customer = found or self._create_customer(contact, request_id=request_id)
            self._found.put(self._found.customers, key, customer)
        self._customers[contact.pk] = customer
        return customer

    def _matching_customer(self, contact: Contact) -> dict[str, Any] | None:
        first, last = contact.first_name.strip(), contact.last_name.strip()
        email = contact.email.strip()
        # QuickBooks filters on the name parts; the email is compared here (not filterable).
        if first or last:
            conditions = [
                f"{field} = {quote(value)}"
                for field, value in (("GivenName", first), ("FamilyName", last))
                if value
            ]
        else:
            conditions = [f"DisplayName LIKE {quote(email + '%')}"]
        rows = self.client.query(f"SELECT * FROM Customer WHERE {' AND '.join(conditions)}")
        for row in rows:
            address = (row.get("PrimaryEmailAddr") or {}).get("Address")
            if (
                _same(row.get("GivenName"), first)
                and _same(row.get("FamilyName"), last)
                and _same(address, email)
            ):
                return row
        return None

    def _create_customer(self, contact: Contact, *, request_id: str) -> dict[str, Any]:
        first, last = contact.first_name.strip(), contact.last_name.strip()
        email = contact.email.strip()
        name = (contact.full_name.strip() or email)[:480]
        body: dict[str, Any] = {}
        if first:
            body["GivenName"] = first[:100]
        if last:
            body["FamilyName"] = last[:100]
        if email:
            body["PrimaryEmailAddr"] = {"Address": email}
        company = contact.companies.order_by("id").first()
        if company is not None:
            body["CompanyName"] = company.name[:100]
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            # DisplayName is unique across customers, vendors and employees: suffix, not fail.
            display = name if attempt == 1 else f"{name} ({attempt})"
            attempt_id = (
                request_id if attempt == 1 else derived_request_id(request_id, str(attempt))
            )
            try:
                return self.client.create(
                    "Customer", {**body, "DisplayName": display}, request_id=attempt_id
                )
            except QuickBooksError as error:
                if error.code != DUPLICATE_NAME:
                    raise
        raise QuickBooksError(
            _("Faktura could not create a QuickBooks customer for %(name)s: the names %(name)s "
            "to %(name)s (%(n)s) are all taken. Rename some of those customers in QuickBooks.")
            % {"name": name, "n": MAX_NAME_ATTEMPTS}, retryable=False,
        )  # fmt: skip

    # -- items (QB-4a, QB-4) -------------------------------------------------------------------

    def prefetch_items(self, line_items: Iterable[LineItem]) -> None:
        """Read the items many lines need in a few queries (links by Id, then SKUs and names
        of the lines no link answers), so the per-line lookups that follow are answered from
        memory."""
        lines = list(line_items)
        product_ids = {line.product_id for line in lines if line.product_id}
        links = ProductLink.objects.filter(connection=self.connection, product_id__in=product_ids)
        by_product = {link.product_id: link.item_id for link in links}
        for product_id in product_ids:
            self._links[product_id] = by_product.get(product_id)
        for item_id in by_product.values():
            if item_id not in self._items_by_id and (
                kept := self._found.get(self._found.items, item_id)
            ):
                self._items_by_id[item_id] = kept
        self._fetch("Id", [i for i in by_product.values() if i not in self._items_by_id])
        unlinked = [
            line
            for line in lines
            if not (line.product_id and is_sellable(self._linked_row(line.product_id)))
        ]
        self._fetch("Sku", [s for s in {self._sku(line) for line in unlinked} if s])
        self._fetch("Name", [n for n in {line.name.strip() for line in unlinked} if n])

    def _linked_row(self, product_id: int) -> dict[str, Any] | None:
        item_id = self._links.get(product_id)
        return self._items_by_id.get(item_id) if item_id is not None else None

    def _fetch(self, field: str, values: list[str]) -> None:
        for start in range(0, len(values), 100):
            chunk = values[start : start + 100]
            listed = ", ".join(quote(v) for v in chunk)
            active = "" if field != "Id" else " AND Active IN (true, false)"
            rows = self.client.query(f"SELECT * FROM Item WHERE {field} IN ({listed}){active}")
            self._remember(field, chunk, rows)

    def _remember(self, field: str, asked: list[str], rows: list[dict[str, Any]]) -> None:
        if field == "Id":
            found = {str(row["Id"]): row for row in rows}
            for item_id in asked:
                self._items_by_id[item_id] = found.get(item_id)
                if is_sellable(found.get(item_id)):
                    self._found.put(self._found.items, item_id, found[item_id])
            return
        key = field.lower()
        for value in asked:
            match = next(
                (r for r in rows if is_sellable(r) and _same(r.get(field), value)), None
            )  # fmt: skip
            self._items_by_key[(key, value.casefold())] = match

    def _sku(self, line: LineItem) -> str:
        product = line.product if line.product_id else None
        return (line.sku or (product.sku if product else "")).strip()

    def _linked_item(self, product_id: int) -> dict[str, Any] | None:
        if product_id not in self._links:
            link = ProductLink.objects.filter(
                connection=self.connection, product_id=product_id
            ).first()  # fmt: skip
            self._links[product_id] = link.item_id if link else None
        item_id = self._links[product_id]
        if item_id is None:
            return None
        if item_id not in self._items_by_id and (
            kept := self._found.get(self._found.items, item_id)
        ):
            self._items_by_id[item_id] = kept
        if item_id not in self._items_by_id:
            try:
                self._items_by_id[item_id] = read = self.client.read("Item", item_id)
            except QuickBooksError as error:
                if error.code != NOT_FOUND:
                    raise
                self._items_by_id[item_id] = None
            else:
                if is_sellable(read):
                    self._found.put(self._found.items, item_id, read)
        item = self._items_by_id[item_id]
        # An item deleted (made inactive) in QuickBooks no longer matches by its link.
        return item if is_sellable(item) else None

    def _by(self, field: str, value: str) -> dict[str, Any] | None:
        key = (field.lower(), value.casefold())
        if key not in self._items_by_key:
            rows = self.client.query(f"SELECT * FROM Item WHERE {field} = {quote(value)}")
            self._remember(field, [value], rows)
        return self._items_by_key[key]

    def item(self, line: LineItem) -> dict[str, Any] | None:
        """The line's item: by product sync's link, else SKU, else exact name (QB-4a)."""
        if line.product_id and (item := self._linked_item(line.product_id)):
            return item
        if (sku := self._sku(line)) and (item := self._by("Sku", sku)):
            return item
        if name := line.name.strip():
            return self._by("Name", name)
        return None

    def item_or_create(self, line: LineItem, *, create: bool, request_id: str) -> dict[str, Any]:
        if item := self.item(line):
            return item
        if not create:
            sku = self._sku(line)
            raise ItemNotFound(
                _("The line item “%(name)s”%(sku)s has no product in QuickBooks (none linked by "
                "product sync, none with its SKU or its exact name), so the document was not "
                "created. Sync products in Settings → QuickBooks, or set the action's 'create "
                "the product in QuickBooks' option to Yes.")
                % {"name": line.name, "sku": _(" (SKU %(sku)s)") % {"sku": sku} if sku else ""}
            )  # fmt: skip
        account = require_income_account(self.connection)
        product = line.product if line.product_id else None
        values = product_values(product) if product else {
            "name": line.name.strip(), "sku": self._sku(line),
            "description": line.description.strip(), "unit_price": _plain(line.unit_price),
        }  # fmt: skip
        body = {
            **{k: v for k, v in item_fields(values).items() if v != ""},
            "Type": "Service",
            "IncomeAccountRef": account,
        }
        item = self.client.create("Item", body, request_id=request_id)
        self._items_by_id[str(item["Id"])] = item
        self._items_by_key[("name", values["name"].casefold())] = item
        if product is not None:
            link_product(
                self.connection,
                product,
                item,
                synced={"faktura": values, "quickbooks": item_values(item)},
            )
            self._links[product.pk] = str(item["Id"])
        return item
