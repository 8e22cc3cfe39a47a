"""What each object type does behind HubSpot's generic object endpoints: which services create,
update and archive it, which properties a response shows by default, and its associations
(with HubSpot's association type ids, reference §C6). The API adds no rules: every write here
is one call to the owning app's services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.properties import ObjectType, object_types, parse_value
from faktura.crm import services as crm
from faktura.crm.models import Company, Contact
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice, InvoiceLine, InvoicePayment, InvoiceStatus
from faktura.payments import services as payments
from faktura.payments.models import Payment
from faktura.sales import services as sales
from faktura.sales.models import Deal, LineItem, Quote

Values = dict[str, Any]


@dataclass(frozen=True)
class Link:
    """One association kind from this type to another: HubSpot's type id and how to follow it."""

    to: str  # object type name: "contacts"
    type_id: int
    label: str  # "invoice_to_contact"
    ids: Callable[[Any], list[int]]
    add: Callable[[Any, Any, Actor], None] | None = None
    remove: Callable[[Any, Any, Actor], None] | None = None


@dataclass(frozen=True)
class PendingLink:
    """An association named in a create request, resolved to its target record."""

    link: Link
    target: models.Model


@dataclass
class Adapter:
    object_type: ObjectType
    default_properties: tuple[str, ...]
    create: Callable[[Actor, Values, list[PendingLink]], models.Model]
    update: Callable[[Actor, Any, Values], models.Model]
    archive: Callable[[Actor, Any], None]
    links: tuple[Link, ...] = ()
    base: Callable[[], models.QuerySet[Any]] | None = None
    # A second table whose rows are records of this type too: invoice lines are line items.
    also: Callable[[], models.QuerySet[Any]] | None = None
    _by_target: dict[str, Link] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_target = {link.to: link for link in self.links}

    @property
    def name(self) -> str:
        return self.object_type.name

    def link_to(self, target: str) -> Link | None:
        return self._by_target.get(target)

    def link_by_type_id(self, type_id: int) -> Link | None:
        return next((link for link in self.links if link.type_id == type_id), None)

    def queryset(self) -> models.QuerySet[Any]:
        manager = self.object_type.model._default_manager
        return self.base() if self.base else manager.all()

    def querysets(self) -> list[models.QuerySet[Any]]:
        """Every table holding records of this type (ids never overlap, ADR 0006)."""
        return [self.queryset(), *([self.also()] if self.also else [])]


def active(adapter: Adapter, queryset: models.QuerySet[Any], *, archived: bool) -> Any:
    """Archived records only when asked for, as HubSpot's `archived=true` does."""
    object_type = adapter.object_type
    return object_type.archived(queryset) if archived else object_type.unarchived(queryset)


def archived_at(adapter: Adapter, obj: models.Model) -> dt.datetime | None:
    if not isinstance(obj, adapter.object_type.model):
        return None  # a row of the second table (an invoice line) is never archived
    return adapter.object_type.archived_at(obj)


# --- associations ----------------------------------------------------------------------------


def _ids(attribute: str) -> Callable[[Any], list[int]]:
    return lambda obj: list(getattr(obj, attribute).order_by("id").values_list("id", flat=True))


def _fk(attribute: str) -> Callable[[Any], list[int]]:
    return lambda obj: [pk] if (pk := getattr(obj, f"{attribute}_id")) else []


def _not_supported(what: str) -> Callable[[Any, Any, Actor], None]:
    def refuse(obj: Any, target: Any, actor: Actor) -> None:
        raise RuleViolation(what, code="association_not_supported")

    return refuse


def _invoice_payment_ids(invoice: Invoice) -> list[int]:
    return list(InvoicePayment.objects.filter(invoice=invoice).values_list("payment_id", flat=True))


def _payment_invoice_ids(payment: Payment) -> list[int]:
    return list(InvoicePayment.objects.filter(payment=payment).values_list("invoice_id", flat=True))


def _apply_payment(payment: Payment, invoice: Invoice, actor: Actor) -> None:
    invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)


def _apply_to_invoice(invoice: Invoice, payment: Payment, actor: Actor) -> None:
    invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)


def _detach_payment(payment: Payment, invoice: Invoice, actor: Actor) -> None:
    raise RuleViolation(
        f"Payment {payment.pk} cannot be taken off invoice {invoice.number or invoice.pk}: "
        "delete the payment instead (manual payments only).",
        code="association_not_supported",
    )


def _set_invoice_contacts(invoice: Invoice, contact: Contact, actor: Actor) -> None:
    invoices.add_invoice_association(invoice, contact, actor=actor)


def _unset_invoice_contact(invoice: Invoice, contact: Contact, actor: Actor) -> None:
    invoices.remove_invoice_association(invoice, contact, actor=actor)


def _set_invoice_company(invoice: Invoice, company: Company, actor: Actor) -> None:
    invoices.add_invoice_association(invoice, company, actor=actor)


def _unset_invoice_company(invoice: Invoice, company: Company, actor: Actor) -> None:
    invoices.remove_invoice_association(invoice, company, actor=actor)


def _set_invoice_deal(invoice: Invoice, deal: Deal, actor: Actor) -> None:
    invoices.update_invoice(invoice, actor=actor, deal=deal)


def _unset_invoice_deal(invoice: Invoice, deal: Deal, actor: Actor) -> None:
    if invoice.deal_id == deal.pk:
        invoices.update_invoice(invoice, actor=actor, deal=None)


def _set_invoice_quote(invoice: Invoice, quote: Quote, actor: Actor) -> None:
    invoices.update_invoice(invoice, actor=actor, quote=quote)


def _unset_invoice_quote(invoice: Invoice, quote: Quote, actor: Actor) -> None:
    if invoice.quote_id == quote.pk:
        invoices.update_invoice(invoice, actor=actor, quote=None)


# --- per type --------------------------------------------------------------------------------


def _targets(pending: Iterable[PendingLink], to: str) -> list[Any]:
    return [p.target for p in pending if p.link.to == to]


def _add_later(obj: Any, pending: Iterable[PendingLink], actor: Actor, done: set[str]) -> None:
    """Associations a create call could not pass to the service directly."""
    for item in pending:
        if item.link.to in done:
            continue
        if item.link.add is None:
            raise RuleViolation(
                f"{item.link.label} associations cannot be made here.",
                code="association_not_supported",
            )
        item.link.add(obj, item.target, actor)


def _create_with(service: Callable[..., Any]) -> Callable[[Actor, Values, list[PendingLink]], Any]:
    """Create through `service(actor=…, **values)`, then make the requested associations."""

    def create(actor: Actor, values: Values, pending: list[PendingLink]) -> Any:
        with transaction.atomic():
            obj = service(actor=actor, **values)
            _add_later(obj, pending, actor, set())
        return obj

    return create


def _create_deal(actor: Actor, values: Values, pending: list[PendingLink]) -> Deal:
    with transaction.atomic():
        deal = sales.create_deal(
            actor=actor,
            contacts=_targets(pending, "contacts"),
            companies=_targets(pending, "companies"),
            **values,
        )
        _add_later(deal, pending, actor, {"contacts", "companies"})
    return deal


def _create_quote(actor: Actor, values: Values, pending: list[PendingLink]) -> Quote:
    deals = _targets(pending, "deals")
    with transaction.atomic():
        quote = sales.create_quote(
            actor=actor,
            deal=deals[0] if deals else None,
            contacts=_targets(pending, "contacts"),
            companies=_targets(pending, "companies"),
            **values,
        )
        _add_later(quote, pending, actor, {"contacts", "companies", "deals"})
    return quote


_STATUS = "hs_invoice_status"


def _create_invoice(actor: Actor, values: Values, pending: list[PendingLink]) -> Invoice:
    status = values.pop(_STATUS, None)
    deals, quotes = _targets(pending, "deals"), _targets(pending, "quotes")
    with transaction.atomic():
        invoice = invoices.create_draft_invoice(
            actor=actor,
            contacts=_targets(pending, "contacts"),
            companies=_targets(pending, "companies"),
            deal=deals[0] if deals else None,
            quote=quotes[0] if quotes else None,
            values=values,
        )
        _add_later(invoice, pending, actor, {"contacts", "companies", "deals", "quotes"})
        if status not in (None, "", InvoiceStatus.DRAFT):
            invoice = _change_status(actor, invoice, str(status))
    return invoice


def _change_status(actor: Actor, invoice: Invoice, status: str) -> Invoice:
    """hs_invoice_status through the lifecycle services: draft → open, open → voided."""
    if status == invoice.status:
        return invoice
    if status == InvoiceStatus.OPEN and invoice.status == InvoiceStatus.DRAFT:
        return invoices.finalize_invoice(invoice, actor=actor)
    if status == InvoiceStatus.VOIDED:
        return invoices.void_invoice(invoice, actor=actor)
    if status == InvoiceStatus.PAID:
        raise RuleViolation(
            "An invoice becomes paid when payments cover its total: create a commerce_payments "
            "record associated with it (association type 542) or use "
            "POST /faktura/v1/invoices/{id}/payments.",
            code="illegal_status_change",
        )
    if status in InvoiceStatus.values:
        raise RuleViolation(
            f"An invoice cannot go from {invoice.status} to {status}.",
            code="illegal_status_change",
        )
    raise RuleViolation(
        f"'{status}' is not an invoice status. Use one of: {', '.join(InvoiceStatus.values)}.",
        code="invalid_option",
    )


def _update_invoice(actor: Actor, invoice: Invoice, values: Values) -> Invoice:
    status = values.pop(_STATUS, None)
    with transaction.atomic():
        if values:
            invoice = invoices.update_invoice(invoice, actor=actor, values=values).invoice
        if status is not None:
            invoice = _change_status(actor, invoice, str(status))
    return invoice


def _archive_invoice(actor: Actor, invoice: Invoice) -> None:
    invoices.delete_invoice(invoice, actor=actor)


_PAYMENT_FIELDS = {
    "hs_initial_amount": "amount",
    "hs_currency_code": "currency",
    "hs_initiated_date": "paid_on",
    "hs_payment_method_type": "method",
    "hs_reference_number": "reference",
    "hs_internal_comment": "note",
}


def _create_payment(actor: Actor, values: Values, pending: list[PendingLink]) -> Payment:
    """An external payment record (HubSpot's documented route to mark an invoice paid)."""
    unknown = set(values) - set(_PAYMENT_FIELDS) - {"hs_latest_status", "hs_customer_email"}
    if unknown:
        raise RuleViolation(
            f"Property {sorted(unknown)[0]} cannot be set on a new payment.", code="read_only"
        )
    status = values.get("hs_latest_status") or "succeeded"
    if status != "succeeded":
        raise RuleViolation(
            "Only completed payments can be recorded here: hs_latest_status must be 'succeeded'.",
            code="invalid_option",
        )
    if "hs_initial_amount" not in values or "hs_initiated_date" not in values:
        raise RuleViolation(
            "A payment needs hs_initial_amount and hs_initiated_date.", code="required"
        )
    invoices_to_pay = _targets(pending, "invoices")
    contacts = _targets(pending, "contacts")
    payment_type = object_types.get("commerce_payments")
    kwargs: Values = {
        _PAYMENT_FIELDS[name]: parse_value(payment_type.property(name), value)
        for name, value in values.items()
        if name in _PAYMENT_FIELDS
    }
    if not kwargs.get("currency"):
        kwargs["currency"] = invoices_to_pay[0].currency if invoices_to_pay else "USD"
    kwargs["paid_on"] = _date_of(kwargs["paid_on"])
    with transaction.atomic():
        payment = payments.create_manual_payment(
            actor=actor, contact=contacts[0] if contacts else None, **kwargs
        )
        for invoice in invoices_to_pay:
            invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)
        _add_later(payment, pending, actor, {"invoices", "contacts"})
    return payment


def _date_of(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _update_payment(actor: Actor, payment: Payment, values: Values) -> Payment:
    raise RuleViolation(
        "Payment records cannot be changed; delete a manual payment and record it again.",
        code="read_only",
    )


def _archive_payment(actor: Actor, payment: Payment) -> None:
    invoice_payments.delete_payment(payment, actor=actor)


def _line_values(values: Values) -> Values:
    """Property names (price, hs_sku…) to the line fields the services take."""
    line_item = object_types.get("line_items")
    return {line_item.property(name).field or name: value for name, value in values.items()}


def _create_line_item(
    actor: Actor, values: Values, pending: list[PendingLink]
) -> LineItem | InvoiceLine:
    if len(pending) > 1:
        raise RuleViolation("A line item belongs to one record: associate it with one.")
    with transaction.atomic():
        item = sales.create_line_item(actor=actor, values=_line_values(values))
        _add_later(item, pending, actor, set())
    # Associated with an invoice, it now lives among the invoice's lines under the same id.
    return LineItem.objects.filter(pk=item.pk).first() or InvoiceLine.objects.get(pk=item.pk)


def _update_line_item(actor: Actor, line: Any, values: Values) -> Any:
    if isinstance(line, InvoiceLine):
        invoices.update_invoice_line(line, actor=actor, values=_line_values(values))
        return InvoiceLine.objects.get(pk=line.pk)
    return sales.update_line_item(line, actor=actor, values=_line_values(values))


def _archive_line_item(actor: Actor, line: Any) -> None:
    if isinstance(line, InvoiceLine):
        invoices.remove_invoice_line(line, actor=actor)
    else:
        sales.delete_line_item(line, actor=actor)


def _line_parent(line: Any, attribute: str) -> list[int]:
    pk = getattr(line, f"{attribute}_id", None)
    return [pk] if pk else []


def _attach_to_invoice(invoice: Invoice, line: Any, actor: Actor) -> None:
    if isinstance(line, InvoiceLine):
        if line.invoice_id == invoice.pk:
            return  # already there: associating again changes nothing
        raise RuleViolation(
            f"Line item {line.pk} belongs to another invoice; a line item has one parent. "
            "Create a new line item for this invoice.",
            code="line_item_taken",
        )
    invoices.attach_line_item(invoice, line, actor=actor)


def _attach_to_parent(parent: Any, line: Any, actor: Actor) -> None:
    if isinstance(line, InvoiceLine):
        raise RuleViolation(
            f"Line item {line.pk} belongs to an invoice; a line item has one parent.",
            code="line_item_taken",
        )
    if line.deal_id == getattr(parent, "pk", None) or line.quote_id == getattr(parent, "pk", None):
        return
    sales.attach_line_item(line, parent, actor=actor)


def _detach_line(parent: Any, line: Any, actor: Actor) -> None:
    """Taking a line item off its record removes it: a line item lives on its record."""
    _archive_line_item(actor, line)


def _archive_with(service: Callable[..., Any]) -> Callable[[Actor, Any], None]:
    return lambda actor, obj: service(obj, actor=actor)


def _update_with(service: Callable[..., Any]) -> Callable[[Actor, Any, Values], Any]:
    return lambda actor, obj, values: service(obj, actor=actor, values=values)


def _adapters() -> dict[str, Adapter]:
    contact_links = (
        Link("companies", 279, "contact_to_company", _ids("companies"),
             lambda c, co, a: crm.associate_contact_with_company(c, co, actor=a),
             lambda c, co, a: crm.dissociate_contact_from_company(c, co, actor=a)),
    )  # fmt: skip
    company_links = (
        Link("contacts", 280, "company_to_contact", _ids("contacts"),
             lambda co, c, a: crm.associate_contact_with_company(c, co, actor=a),
             lambda co, c, a: crm.dissociate_contact_from_company(c, co, actor=a)),
    )  # fmt: skip
    deal_links = (
        Link("contacts", 3, "deal_to_contact", _ids("contacts"),
             lambda d, c, a: sales.add_deal_contact(d, c, actor=a),
             lambda d, c, a: sales.remove_deal_contact(d, c, actor=a)),
        Link("companies", 5, "deal_to_company", _ids("companies"),
             lambda d, co, a: sales.add_deal_company(d, co, actor=a),
             lambda d, co, a: sales.remove_deal_company(d, co, actor=a)),
        Link("line_items", 19, "deal_to_line_item", _ids("line_items"), _attach_to_parent,
             _detach_line),
        Link("quotes", 63, "deal_to_quote", _ids("quotes")),
        Link("invoices", 176, "deal_to_invoice", _ids("invoices")),
    )  # fmt: skip
    quote_links = (
        Link("deals", 64, "quote_to_deal", _fk("deal")),
        Link("contacts", 69, "quote_to_contact", _ids("contacts"),
             lambda q, c, a: sales.add_quote_contact(q, c, actor=a),
             lambda q, c, a: sales.remove_quote_contact(q, c, actor=a)),
        Link("companies", 71, "quote_to_company", _ids("companies"),
             lambda q, co, a: sales.add_quote_company(q, co, actor=a),
             lambda q, co, a: sales.remove_quote_company(q, co, actor=a)),
        Link("line_items", 67, "quote_to_line_item", _ids("line_items"), _attach_to_parent,
             _detach_line),
        Link("invoices", 408, "quote_to_invoice", _ids("invoices")),
    )  # fmt: skip
    invoice_links = (
        Link("deals", 175, "invoice_to_deal", _fk("deal"), _set_invoice_deal,
             _unset_invoice_deal),
        Link("contacts", 177, "invoice_to_contact", _ids("contacts"), _set_invoice_contacts,
             _unset_invoice_contact),
        Link("companies", 179, "invoice_to_company", _ids("companies"), _set_invoice_company,
             _unset_invoice_company),
        Link("quotes", 407, "invoice_to_quote", _fk("quote"), _set_invoice_quote,
             _unset_invoice_quote),
        Link("line_items", 409, "invoice_to_line_item", _ids("lines"), _attach_to_invoice,
             _detach_line),
        Link("commerce_payments", 541, "invoice_to_payment", _invoice_payment_ids,
             _apply_to_invoice, _not_supported("Delete the payment to take it off the invoice.")),
    )  # fmt: skip
    payment_links = (
        Link("invoices", 542, "payment_to_invoice", _payment_invoice_ids, _apply_payment,
             _detach_payment),
        Link("contacts", 387, "payment_to_contact", _fk("contact")),
    )  # fmt: skip
    line_item_links = (
        Link("invoices", 410, "line_item_to_invoice", lambda line: _line_parent(line, "invoice"),
             lambda line, invoice, a: _attach_to_invoice(invoice, line, a)),
        Link("deals", 20, "line_item_to_deal", lambda line: _line_parent(line, "deal"),
             lambda line, deal, a: _attach_to_parent(deal, line, a)),
        Link("quotes", 68, "line_item_to_quote", lambda line: _line_parent(line, "quote"),
             lambda line, quote, a: _attach_to_parent(quote, line, a)),
    )  # fmt: skip
    common = ("createdate", "hs_lastmodifieddate", "hs_object_id")
    return {
        a.name: a
        for a in (
            Adapter(
                object_types.get("contacts"),
                ("email", "firstname", "lastname", *common),
                _create_with(crm.create_contact),
                _update_with(crm.update_contact),
                _archive_with(crm.archive_contact),
                contact_links,
            ),
            Adapter(
                object_types.get("companies"),
                ("name", "domain", *common),
                _create_with(crm.create_company),
                _update_with(crm.update_company),
                _archive_with(crm.archive_company),
                company_links,
            ),
            Adapter(
                object_types.get("products"),
                ("name", "price", "description", *common),
                _create_with(sales.create_product),
                _update_with(sales.update_product),
                _archive_with(sales.archive_product),
            ),
            Adapter(
                object_types.get("deals"),
                ("dealname", "amount", "dealstage", "closedate", *common),
                _create_deal,
                _update_with(sales.update_deal),
                _archive_with(sales.archive_deal),
                deal_links,
            ),
            Adapter(
                object_types.get("quotes"),
                ("hs_title", "hs_expiration_date", "hs_status", *common),
                _create_quote,
                _update_with(sales.update_quote),
                _archive_with(sales.archive_quote),
                quote_links,
            ),
            Adapter(
                object_types.get("line_items"),
                (
                    "name",
                    "quantity",
                    "price",
                    "hs_sku",
                    "createdate",
                    "hs_lastmodifieddate",
                    "hs_object_id",
                ),
                _create_line_item,
                _update_line_item,
                _archive_line_item,
                line_item_links,
                also=lambda: InvoiceLine.objects.all(),
            ),
            Adapter(
                object_types.get("invoices"),
                ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
                _create_invoice,
                _update_invoice,
                _archive_invoice,
                invoice_links,
            ),
            Adapter(
                object_types.get("commerce_payments"),
                (
                    "hs_initial_amount",
                    "hs_currency_code",
                    "hs_latest_status",
                    "hs_createdate",
                    "hs_object_id",
                ),
                _create_payment,
                _update_payment,
                _archive_payment,
                payment_links,
            ),
        )
    }


_BY_NAME: dict[str, Adapter] = {}


def adapters() -> Mapping[str, Adapter]:
    """Every adapter by object type name (built once the apps are ready)."""
    if not _BY_NAME:
        _BY_NAME.update(_adapters())
    return _BY_NAME


def adapter_for(name_or_type_id: str) -> Adapter | None:
    """ "invoices", "invoice" or "0-53"."""
    for adapter in adapters().values():
        ot = adapter.object_type
        if name_or_type_id in (ot.name, ot.singular, ot.hubspot_type_id):
            return adapter
    return None
