"""Invoices on the wire: their default properties, HubSpot's association ids, and the status
property that moves an invoice through its lifecycle (draft → open → voided), as HubSpot's API
does, through the lifecycle services."""

from typing import cast

from django.db import transaction
from django.utils.translation import gettext

from faktura.api.adapters import Adapter, Link
from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.record_services import Associated, Values, services_for
from faktura.invoices import services as invoices
from faktura.invoices.models import Invoice, InvoiceStatus

STATUS = "hs_invoice_status"


def create_invoice(actor: Actor, values: Values, associated: Associated) -> Invoice:
    values = dict(values)
    status = values.pop(STATUS, None)
    with transaction.atomic():
        created = services_for("invoices").create_record(values, actor=actor, associated=associated)
        invoice = cast(Invoice, created)
        if status not in (None, "", InvoiceStatus.DRAFT):
            invoice = change_status(actor, invoice, str(status))
    return invoice


def update_invoice(actor: Actor, invoice: Invoice, values: Values) -> Invoice:
    values = dict(values)
    status = values.pop(STATUS, None)
    with transaction.atomic():
        if values:
            updated = services_for("invoices").update_record(invoice, actor=actor, values=values)
            invoice = cast(Invoice, updated)
        if status is not None:
            invoice = change_status(actor, invoice, str(status))
    return invoice


def change_status(actor: Actor, invoice: Invoice, status: str) -> Invoice:
    """hs_invoice_status through the lifecycle services: draft → open, open → voided."""
    if status == invoice.status:
        return invoice
    if status == InvoiceStatus.OPEN and invoice.status == InvoiceStatus.DRAFT:
        return invoices.finalize_invoice(invoice, actor=actor)
    if status == InvoiceStatus.VOIDED:
        return invoices.void_invoice(invoice, actor=actor)
    if status == InvoiceStatus.PAID:
        raise RuleViolation(
            gettext(
                "An invoice becomes paid when payments cover its total: create a "
                "commerce_payments record associated with it (association type 542) or use "
                "POST /faktura/v1/invoices/{id}/payments."
            ),
            code="illegal_status_change",
        )
    if status in InvoiceStatus.values:
        raise RuleViolation(
            gettext("An invoice cannot go from %(old)s to %(new)s.")
            % {"old": invoice.status, "new": status},
            code="illegal_status_change",
        )
    raise RuleViolation(
        gettext("'%(status)s' is not an invoice status. Use one of: %(statuses)s.")
        % {"status": status, "statuses": ", ".join(InvoiceStatus.values)},
        code="invalid_option",
    )


ADAPTERS = (
    Adapter(
        "invoices",
        ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
        links=(
            Link("invoices", "deals", 175, "invoice_to_deal"),
            Link("invoices", "contacts", 177, "invoice_to_contact"),
            Link("invoices", "companies", 179, "invoice_to_company"),
            Link("invoices", "quotes", 407, "invoice_to_quote"),
            Link("invoices", "line_items", 409, "invoice_to_line_item"),
            Link("invoices", "commerce_payments", 541, "invoice_to_payment"),
        ),
        create_on_wire=create_invoice,
        update_on_wire=update_invoice,
    ),
)
