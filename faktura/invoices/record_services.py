"""Invoices' services and associations, declared for code that acts on any object type
(faktura.core.record_services). Also what only this app can declare, knowing both sides: an
invoice's lines are line items too (ADR 0006), a payment is deleted here (its invoice reopens),
and payments, deals and quotes are associated with invoices."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.record_services import (
    Associated,
    Association,
    Values,
    declare_association,
    of,
    pointer,
    services_for,
)
from faktura.crm.models import Company, Contact
from faktura.invoices import invoice_payments, line_batches
from faktura.invoices import services as invoices
from faktura.invoices.issued import billed_company, billing_contact
from faktura.invoices.models import Invoice, InvoiceLine
from faktura.payments.models import Payment
from faktura.sales.lines import MAX_LINES
from faktura.sales.models import Deal, LineItem, Quote
from faktura.sales.record_services import line_values


def _create_invoice(values: Values, /, *, actor: Actor, associated: Associated) -> Invoice:
    deals = of(associated, "deals", Deal)
    quotes = of(associated, "quotes", Quote)
    return invoices.create_draft_invoice(
        actor=actor,
        contacts=of(associated, "contacts", Contact),
        companies=of(associated, "companies", Company),
        deal=deals[0] if deals else None,
        quote=quotes[0] if quotes else None,
        values=values,
    )


def _update_invoice(invoice: Invoice, /, *, actor: Actor, values: Mapping[str, Any]) -> Invoice:
    return invoices.update_invoice(invoice, actor=actor, values=values).invoice


def _update_line(line: InvoiceLine, /, *, actor: Actor, values: Values) -> InvoiceLine:
    invoices.update_invoice_line(line, actor=actor, values=line_values(values))
    return InvoiceLine.objects.get(pk=line.pk)


# --- an invoice's associations -----------------------------------------------------------------


def _contacts(invoice: Invoice) -> models.QuerySet[Contact]:
    return invoice.contacts_in_order()


def _companies(invoice: Invoice) -> models.QuerySet[Company]:
    return invoice.companies.order_by("id")


def _set_deal(invoice: Invoice, deal: Deal, /, *, actor: Actor) -> None:
    invoices.update_invoice(invoice, actor=actor, deal=deal)


def _unset_deal(invoice: Invoice, deal: Deal, /, *, actor: Actor) -> None:
    if invoice.deal_id == deal.pk:
        invoices.update_invoice(invoice, actor=actor, deal=None)


def _set_quote(invoice: Invoice, quote: Quote, /, *, actor: Actor) -> None:
    invoices.update_invoice(invoice, actor=actor, quote=quote)


def _unset_quote(invoice: Invoice, quote: Quote, /, *, actor: Actor) -> None:
    if invoice.quote_id == quote.pk:
        invoices.update_invoice(invoice, actor=actor, quote=None)


def _lines(invoice: Invoice) -> models.QuerySet[InvoiceLine]:
    return invoice.lines.all()


def _attach_line(invoice: Invoice, line: models.Model, /, *, actor: Actor) -> None:
    if isinstance(line, InvoiceLine):
        if line.invoice_id == invoice.pk:
            return  # already there: associating again changes nothing
        raise RuleViolation(
            gettext(
                "Line item %(id)s belongs to another invoice; a line item has one parent. "
                "Create a new line item for this invoice."
            )
            % {"id": line.pk},
            code="line_item_taken",
        )
    if isinstance(line, LineItem):
        invoices.attach_line_item(invoice, line, actor=actor)


def _remove_line(invoice: Invoice, line: InvoiceLine, /, *, actor: Actor) -> None:
    """Taking a line item off its invoice removes it: a line item lives on its record."""
    invoices.remove_invoice_line(line, actor=actor)


def _payments(invoice: Invoice) -> models.QuerySet[Payment]:
    return Payment.objects.filter(invoice_application__invoice=invoice).order_by("id")


def _apply_payment(invoice: Invoice, payment: Payment, /, *, actor: Actor) -> None:
    invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)


def _payment_stays(payment: Payment, invoice: Invoice) -> RuleViolation:
    return RuleViolation(
        gettext(
            "Payment %(payment)s cannot be taken off invoice %(invoice)s: delete the payment "
            "instead (manual payments only)."
        )
        % {"payment": payment.pk, "invoice": invoice.number or invoice.pk},
        code="association_not_supported",
    )


def _keep_payment(invoice: Invoice, payment: Payment, /, *, actor: Actor) -> None:
    raise _payment_stays(payment, invoice)


# --- invoices seen from the other side ---------------------------------------------------------


def _invoices_of_payment(payment: Payment) -> models.QuerySet[Invoice]:
    return Invoice.objects.filter(applied_payments__payment=payment)


def _invoice_of_payment(payment: Payment) -> Invoice | None:
    """The invoice a payment paid (a payment pays at most one)."""
    return Invoice.objects.filter(applied_payments__payment=payment).first()


def _pay_invoice(payment: Payment, invoice: Invoice, /, *, actor: Actor) -> None:
    invoice_payments.apply_payment_to_invoice(invoice, payment, actor=actor)


def _keep_invoice(payment: Payment, invoice: Invoice, /, *, actor: Actor) -> None:
    raise _payment_stays(payment, invoice)


def _currency_of(invoice: Invoice) -> Values:
    """A payment recorded for an invoice is in the invoice's currency unless it says otherwise."""
    return {"hs_currency_code": invoice.currency}


def _invoices_of(document: Deal | Quote) -> models.QuerySet[Invoice]:
    return document.invoices.order_by("id")


def _line_to_invoice(line: models.Model, invoice: Invoice, /, *, actor: Actor) -> None:
    _attach_line(invoice, line, actor=actor)


def declare() -> None:
    services_for("invoices").declare(
        create=_create_invoice,
        created_with=("contacts", "companies", "deals", "quotes"),
        update=_update_invoice,
        archive=invoices.delete_invoice,
        editable=invoices.EDITABLE,
    )
    services_for("line_items").declare(
        model=InvoiceLine,
        update=_update_line,
        archive=invoices.remove_invoice_line,
        # A whole invoice's lines may come in one batch, written in one edit.
        create_many=line_batches.create_line_items,
        update_many=line_batches.update_line_items,
        archive_many=line_batches.archive_line_items,
        max_batch=MAX_LINES,
    )
    services_for("commerce_payments").declare(archive=invoice_payments.delete_payment)
    for association in (
        Association(
            "invoices",
            "contacts",
            records=_contacts,
            primary=billing_contact,
            add=invoices.add_invoice_association,
            remove=invoices.remove_invoice_association,
            lookup="contacts__id",
        ),
        Association(
            "invoices",
            "companies",
            records=_companies,
            primary=billed_company,  # DOC-2: the one company the invoice bills
            add=invoices.add_invoice_association,
            remove=invoices.remove_invoice_association,
            lookup="companies__id",
        ),
        Association(
            "invoices",
            "deals",
            **pointer("deal"),
            add=_set_deal,
            remove=_unset_deal,
            lookup="deal_id",
        ),
        Association(
            "invoices",
            "quotes",
            **pointer("quote"),
            add=_set_quote,
            remove=_unset_quote,
            lookup="quote_id",
        ),
        Association(
            "invoices", "line_items", records=_lines, add=_attach_line, remove=_remove_line
        ),
        Association(
            "invoices",
            "commerce_payments",
            records=_payments,
            add=_apply_payment,
            remove=_keep_payment,
            lookup="applied_payments__payment_id",
        ),
        Association(
            "commerce_payments",
            "invoices",
            records=_invoices_of_payment,
            primary=_invoice_of_payment,
            add=_pay_invoice,
            remove=_keep_invoice,
            lookup="invoice_application__invoice_id",
            fills=_currency_of,
        ),
        Association("deals", "invoices", records=_invoices_of, lookup="invoices__id"),
        Association("quotes", "invoices", records=_invoices_of, lookup="invoices__id"),
        Association(
            "line_items",
            "invoices",
            **pointer("invoice"),  # deal and quote lines have none
            add=_line_to_invoice,
        ),
    ):
        declare_association(association)
