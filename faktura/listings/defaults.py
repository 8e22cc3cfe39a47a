"""What each object type's index page starts with: its address, columns, sort and search.

Declared once here by type name; listings knows the object types only through the registry,
so a type without an entry still gets an index page with generic defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from faktura.accounts.permissions import can_edit_invoices, can_edit_records
from faktura.core.actors import Actor
from faktura.core.errors import Decision
from faktura.core.properties import ObjectType, PropertyType, object_types


@dataclass(frozen=True)
class BulkAction:
    """A button that opens a dialog for the ticked rows (their ids as `ids`)."""

    label: str
    icon: str  # a Bootstrap icon name
    url: str
    allowed: Callable[[Actor], Decision]


@dataclass(frozen=True)
class IndexLink:
    """A page that belongs with this index, linked beside its Create button."""

    label: str
    icon: str  # a Bootstrap icon name
    url: str


@dataclass(frozen=True)
class QuickSearch:
    """Where the quick search (an index page's `q`, the API's `query`) looks for typed text.
    Names are the type's declared properties; `related` names the model's relations."""

    text: tuple[str, ...] = ()  # string properties that contain the text
    # (first name, last name): "Ada Lovelace" typed together finds the person.
    full_name: tuple[str, str] | None = None
    # Associated records found by their own type's `text` and `full_name`: an invoice by its
    # contacts' names and emails and its companies' names.
    related: tuple[str, ...] = ()
    # Money properties that equal an amount typed in the person's locale ("1 000,50").
    amounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexDefaults:
    path: str  # the URL segment: /<path>/
    columns: tuple[str, ...]
    # A property name, "-" first for descending. Newest first is "-hs_object_id": ids grow
    # with creation and are always indexed, so the first page stays fast at a million rows.
    sort: str
    search: QuickSearch
    creatable: bool = False  # a "Create" page exists at /<path>/new/
    can_edit: Callable[[Actor], Decision] = can_edit_records
    bulk_actions: tuple[BulkAction, ...] = ()
    links: tuple[IndexLink, ...] = ()


DECLARED: dict[str, IndexDefaults] = {
    "invoices": IndexDefaults(
        path="invoices",
        columns=(
            "hs_number",
            "hs_contacts",
            "hs_invoice_status",
            "hs_payment_status",
            "hs_amount_billed",
            "hs_balance_due",
            "hs_invoice_date",
            "hs_due_date",
        ),
        sort="-hs_createdate",
        search=QuickSearch(
            # The buyer as issued (DOC-1) and as associated now (drafts have no issued buyer).
            text=(
                "hs_number",
                "hs_purchase_order_number",
                "buyer_name",
                "buyer_contact_name",
                "buyer_email",
            ),
            related=("contacts", "companies"),
            amounts=("hs_amount_billed", "hs_balance_due"),
        ),
        creatable=True,
        can_edit=can_edit_invoices,
    ),
    "commerce_payments": IndexDefaults(
        path="payments",
        columns=(
            "hs_object_id",
            "hs_initiated_date",
            "hs_initial_amount",
            "hs_payment_method_type",
            "hs_latest_status",
            "hs_customer_email",
            "hs_reference_number",
        ),
        sort="-hs_initiated_date",
        search=QuickSearch(
            text=("hs_reference_number", "hs_customer_email", "hs_payment_id"),
            related=("contact",),
            amounts=("hs_initial_amount",),
        ),
        # INV-12: receipts are sent on request from here.
        bulk_actions=(
            BulkAction("Send receipts", "envelope", "/payments/receipts/", can_edit_invoices),
        ),
        links=(IndexLink("Payment links", "link-45deg", "/payments/links/"),),  # PAY-6
    ),
    "contacts": IndexDefaults(
        path="contacts",
        columns=("firstname", "lastname", "email", "phone", "city", "createdate"),
        sort="-hs_object_id",
        search=QuickSearch(
            text=("firstname", "lastname", "email"),
            full_name=("firstname", "lastname"),
            related=("companies",),
        ),
        creatable=True,
    ),
    "companies": IndexDefaults(
        path="companies",
        columns=("name", "domain", "city", "country", "createdate"),
        sort="-hs_object_id",
        search=QuickSearch(text=("name", "domain")),
        creatable=True,
    ),
    "deals": IndexDefaults(
        path="deals",
        columns=("dealname", "dealstage", "amount", "closedate", "createdate"),
        sort="-hs_object_id",
        search=QuickSearch(text=("dealname",), related=("contacts", "companies")),
        creatable=True,
    ),
    "quotes": IndexDefaults(
        path="quotes",
        columns=("hs_title", "hs_status", "hs_quote_amount", "hs_expiration_date", "createdate"),
        sort="-hs_object_id",
        search=QuickSearch(text=("hs_title",), related=("contacts", "companies")),
        creatable=True,
    ),
    "products": IndexDefaults(
        path="products",
        columns=("name", "hs_sku", "price", "hs_tax_rate"),
        sort="name",
        search=QuickSearch(text=("name", "hs_sku")),
        creatable=True,
    ),
}


def defaults_for(object_type: ObjectType) -> IndexDefaults:
    if declared := DECLARED.get(object_type.name):
        return declared
    # An undeclared type: its first few properties, newest record first.
    return IndexDefaults(
        path=object_type.name,
        columns=tuple(p.name for p in object_type.properties[:6]),
        sort="",
        search=QuickSearch(
            text=tuple(
                p.name
                for p in object_type.properties
                if p.type == PropertyType.STRING and p.field is not None
            )[:3]
        ),
    )


def object_type_at(path: str) -> ObjectType | None:
    """The object type whose index page lives at /<path>/."""
    for object_type in object_types:
        if defaults_for(object_type).path == path:
            return object_type
    return None
