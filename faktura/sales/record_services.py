"""Products', deals', quotes' and line items' services and associations, declared for code that
acts on any object type (faktura.core.record_services). The invoices app adds what concerns
invoices: their lines as line items, and deals' and quotes' invoices."""

from django.db import models
from django.utils.translation import gettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import object_types
from faktura.core.record_services import (
    Associate,
    Associated,
    Association,
    Values,
    declare_association,
    of,
    pointer,
    services_for,
)
from faktura.crm.models import Company, Contact
from faktura.sales import services as sales
from faktura.sales.models import Deal, LineItem, Product, Quote

Document = Deal | Quote


def _create_product(values: Values, /, *, actor: Actor, associated: Associated) -> Product:
    return sales.create_product(actor=actor, **values)


def _create_deal(values: Values, /, *, actor: Actor, associated: Associated) -> Deal:
    return sales.create_deal(
        actor=actor,
        contacts=of(associated, "contacts", Contact),
        companies=of(associated, "companies", Company),
        **values,
    )


def _create_quote(values: Values, /, *, actor: Actor, associated: Associated) -> Quote:
    deals = of(associated, "deals", Deal)
    return sales.create_quote(
        actor=actor,
        deal=deals[0] if deals else None,
        contacts=of(associated, "contacts", Contact),
        companies=of(associated, "companies", Company),
        **values,
    )


def line_values(values: Values) -> Values:
    """Line item property names (price, hs_sku…) to the line fields the services take."""
    line_item = object_types.get("line_items")
    return {line_item.property(name).field or name: value for name, value in values.items()}


def _create_line_item(values: Values, /, *, actor: Actor, associated: Associated) -> LineItem:
    if sum(len(records) for records in associated.values()) > 1:
        raise RuleViolation(gettext("A line item belongs to one record: associate it with one."))
    return sales.create_line_item(actor=actor, values=line_values(values))


def _update_line_item(item: LineItem, /, *, actor: Actor, values: Values) -> LineItem:
    return sales.update_line_item(item, actor=actor, values=line_values(values))


# --- associations ------------------------------------------------------------------------------


def _contacts(document: Document) -> models.QuerySet[Contact]:
    return document.contacts_in_order()


def _first_contact(document: Document) -> Contact | None:
    """The primary contact: the first in association order."""
    return document.contacts_in_order().first()


def _companies(document: Document) -> models.QuerySet[Company]:
    return document.companies.order_by("id")


def _oldest_company(document: Document) -> Company | None:
    """Companies have no association order of their own: the oldest stands for them."""
    return document.companies.order_by("id").first()


def _line_items(document: Document) -> models.QuerySet[LineItem]:
    return document.line_items.all()


def _quotes(deal: Deal) -> models.QuerySet[Quote]:
    return deal.quotes.order_by("id")


def _attach_line(document: Document, line: models.Model, /, *, actor: Actor) -> None:
    if not isinstance(line, LineItem):
        raise RuleViolation(
            gettext(
                "Line item %(id)s belongs to an invoice; a line item has one parent. Create a "
                "new line item for this record."
            )
            % {"id": line.pk},
            code="line_item_taken",
        )
    parent_id = line.deal_id if isinstance(document, Deal) else line.quote_id
    if parent_id == document.pk:
        return  # already there: associating again changes nothing
    sales.attach_line_item(line, document, actor=actor)


def _detach_line(document: Document, line: LineItem, /, *, actor: Actor) -> None:
    """Taking a line item off its record removes it: a line item lives on its record."""
    sales.delete_line_item(line, actor=actor)


def _line_to_document(line: models.Model, document: Document, /, *, actor: Actor) -> None:
    _attach_line(document, line, actor=actor)


def _document_associations(
    source: str,
    *,
    add_contact: Associate,
    remove_contact: Associate,
    add_company: Associate,
    remove_company: Associate,
) -> None:
    """Contacts, companies and line items: alike on deals and quotes."""
    declare_association(
        Association(
            source,
            "contacts",
            records=_contacts,
            primary=_first_contact,
            add=add_contact,
            remove=remove_contact,
            lookup="contacts__id",
        )
    )
    declare_association(
        Association(
            source,
            "companies",
            records=_companies,
            primary=_oldest_company,
            add=add_company,
            remove=remove_company,
            lookup="companies__id",
        )
    )
    declare_association(
        Association(
            source, "line_items", records=_line_items, add=_attach_line, remove=_detach_line
        )
    )


def declare() -> None:
    services_for("products").declare(
        create=_create_product, update=sales.update_product, archive=sales.archive_product
    )
    services_for("deals").declare(
        create=_create_deal,
        created_with=("contacts", "companies"),
        update=sales.update_deal,
        archive=sales.archive_deal,
    )
    services_for("quotes").declare(
        create=_create_quote,
        created_with=("contacts", "companies", "deals"),
        update=sales.update_quote,
        archive=sales.archive_quote,
    )
    services_for("line_items").declare(
        create=_create_line_item, update=_update_line_item, archive=sales.delete_line_item
    )
    _document_associations(
        "deals",
        add_contact=sales.add_deal_contact,
        remove_contact=sales.remove_deal_contact,
        add_company=sales.add_deal_company,
        remove_company=sales.remove_deal_company,
    )
    declare_association(Association("deals", "quotes", records=_quotes))
    declare_association(Association("quotes", "deals", **pointer("deal"), lookup="deal_id"))
    _document_associations(
        "quotes",
        add_contact=sales.add_quote_contact,
        remove_contact=sales.remove_quote_contact,
        add_company=sales.add_quote_company,
        remove_company=sales.remove_quote_company,
    )
    declare_association(
        Association(
            "line_items",
            "deals",
            **pointer("deal"),  # invoice lines have none
            add=_line_to_document,
        )
    )
    declare_association(
        Association(
            "line_items",
            "quotes",
            **pointer("quote"),
            add=_line_to_document,
        )
    )
