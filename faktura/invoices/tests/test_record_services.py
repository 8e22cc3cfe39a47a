"""What the apps declare for code that acts on any record type (the API, workflow actions and the
QuickBooks actions to come): the associated records they read, and the services they call."""

from decimal import Decimal

import pytest
from django.db.models import Model

from faktura.core.errors import RuleViolation
from faktura.core.record_services import associated, primary_associated, services_for
from faktura.invoices import invoice_payments
from faktura.invoices import services as invoices
from faktura.invoices.models import InvoiceLine
from faktura.sales import services as sales
from faktura.sales.models import PricedLine

pytestmark = pytest.mark.django_db


def test_the_first_contact_is_the_first_associated_not_the_oldest_record(
    system, contact, grace, company
):
    deal = sales.create_deal(actor=system, dealname="Engine", contacts=[grace, contact])
    quote = sales.create_quote(actor=system, hs_title="Engine", contacts=[grace, contact])
    invoice = invoices.create_draft_invoice(actor=system, contacts=[grace, contact])
    for record in (deal, quote, invoice):
        assert primary_associated(record, "contacts") == grace
        assert associated(record, "contacts") == [grace, contact]
    assert primary_associated(contact, "companies") is None
    sales.add_deal_company(deal, company, actor=system)
    assert primary_associated(deal, "companies") == company


def test_the_line_items_of_a_deal_a_quote_and_a_payments_invoice(system, deal, open_invoice):
    quote = sales.create_quote(
        actor=system, hs_title="Q", lines=[{"name": "Crank", "unit_price": "5", "quantity": "1"}]
    )
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=system, amount="10")

    def names(record: Model | None) -> list[str]:
        assert record is not None
        lines = associated(record, "line_items")
        return [line.name for line in lines if isinstance(line, PricedLine)]

    assert names(deal) == ["Gear set", "Assembly"]
    assert names(quote) == ["Crank"]
    paid = primary_associated(payment, "invoices")
    assert paid == open_invoice
    assert names(paid) == ["Consulting hour"]
    # No one line item stands for the others.
    assert primary_associated(deal, "line_items") is None


def test_an_invoices_update_service_takes_exactly_its_editable_properties():
    services = services_for("invoices")
    takes = {p.name for p in services.object_type.properties if services.updates(p)}
    assert takes == invoices.EDITABLE
    assert "hubspot_owner_id" not in takes  # it has a service of its own


def test_a_line_item_created_for_an_invoice_becomes_one_of_its_lines(system, draft_invoice):
    line = services_for("line_items").create_record(
        {"name": "Travel", "price": "40", "quantity": "2"},
        actor=system,
        associated={"invoices": [draft_invoice]},
    )
    assert isinstance(line, InvoiceLine)
    assert line.invoice == draft_invoice

    services_for("line_items").update_record(line, actor=system, values={"quantity": "3"})
    draft_invoice.refresh_from_db()
    assert draft_invoice.lines.get(pk=line.pk).quantity == 3
    assert draft_invoice.subtotal == Decimal("320.00")  # 200 of the first line, 3 × 40


def test_a_payment_is_deleted_through_its_invoice_and_cannot_be_changed(system, open_invoice):
    payment = invoice_payments.record_invoice_payment(open_invoice, actor=system, amount="250")
    services = services_for("commerce_payments")
    with pytest.raises(RuleViolation, match="Payment records cannot be changed"):
        services.update_record(payment, actor=system, values={"hs_internal_comment": "x"})

    services.archive_record(payment, actor=system)
    open_invoice.refresh_from_db()
    assert open_invoice.amount_paid == 0
    assert open_invoice.payment_state == "unpaid"
